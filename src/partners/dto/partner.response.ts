import { ApiProperty } from '@nestjs/swagger';
import { PartnerApiKey } from '../partner-api-key.entity';
import { Partner } from '../partner.entity';

/** A key as listed: never its secret, only what tells keys apart. */
export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'fxb_test_6f1c…', description: 'The key up to its secret: what a partner sees in its own configuration.' }) prefix!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Updated at most once a minute.' }) lastUsedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;

  static from(key: PartnerApiKey): ApiKeyResponse {
    return {
      id: key.id,
      prefix: `${key.prefix}_${key.id}`,
      createdAt: key.createdAt.toISOString(),
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
      revokedAt: key.revokedAt?.toISOString() ?? null,
    };
  }
}

export class PartnerResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10000 }) revenueShareBps!: number;
  @ApiProperty({ type: [ApiKeyResponse] }) keys!: ApiKeyResponse[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(partner: Partner, keys: PartnerApiKey[]): PartnerResponse {
    return {
      id: partner.id,
      name: partner.name,
      revenueShareBps: partner.revenueShareBps,
      keys: keys.map(ApiKeyResponse.from),
      createdAt: partner.createdAt.toISOString(),
    };
  }
}

/** A new key: the only answer that carries the whole key. */
export class IssuedKeyResponse {
  @ApiProperty({ type: ApiKeyResponse }) key!: ApiKeyResponse;
  @ApiProperty({ example: 'fxb_test_6f1c…_…', description: 'Shown once: store it now; Fixbid keeps only a digest.' }) apiKey!: string;
}

export class CreatedPartnerResponse {
  @ApiProperty({ type: PartnerResponse }) partner!: PartnerResponse;
  @ApiProperty({ description: 'Shown once: store it now; Fixbid keeps only a digest.' }) apiKey!: string;
}
