import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { CURRENCIES, Currency, MAX_AMOUNT, MIN_AMOUNT } from '../../payments/domain/money';

/** Money in and out: integer minor units 500..1,000,000 and a lower-case currency (V2, B2, B3). */
export class MoneyDto {
  @ApiProperty({ type: 'integer', example: 4500, minimum: MIN_AMOUNT, maximum: MAX_AMOUNT, description: 'integer minor units' })
  @IsInt({ message: 'amount must be an integer number of minor units' })
  @Min(MIN_AMOUNT)
  @Max(MAX_AMOUNT)
  amount!: number;

  @ApiProperty({ enum: CURRENCIES, example: 'usd' })
  @IsIn(CURRENCIES as unknown as string[], { message: `currency must be one of ${CURRENCIES.join(', ')}` })
  currency!: Currency;

  static of(amount: number | null, currency: string | null): MoneyDto | null {
    return amount === null || currency === null ? null : { amount, currency: currency as Currency };
  }
}
