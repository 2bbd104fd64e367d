import { ApiProperty } from '@nestjs/swagger';
import { MoneyDto } from '../../common/http/money.dto';
import { AutomaticTransitionName, nextAutomaticTransition, RequestStatus, RequestTimerSettings } from '../domain/request-state';
import type { HelpRequest } from '../help-request.entity';

export class AutomaticTransitionResponse {
  @ApiProperty({ enum: ['expire', 'payment_window_lapse', 'auto_release', 'hold_limit_escalation'] })
  name!: AutomaticTransitionName;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

/** What the response reads of a request: the entity, or a row of the hot reads' SQL (request-reads.sql.ts). */
export type RequestFields = Pick<
  HelpRequest,
  | 'id'
  | 'customerId'
  | 'title'
  | 'description'
  | 'category'
  | 'maxBudgetAmount'
  | 'maxBudgetCurrency'
  | 'urgency'
  | 'language'
  | 'status'
  | 'bidCount'
  | 'acceptedBidId'
  | 'biddingClosesAt'
  | 'acceptedAt'
  | 'fundedAt'
  | 'reviewDueAt'
  | 'disputedFrom'
  | 'warrantyDays'
  | 'warrantyEndsAt'
  | 'round'
  | 'reopenedAt'
  | 'autoReleased'
  | 'createdAt'
  | 'updatedAt'
>;

/** A help request as the contract shows it (the same for every caller who may see it). */
export class RequestResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: 'networking' }) category!: string;
  @ApiProperty({ type: MoneyDto, nullable: true }) maxBudget!: MoneyDto | null;
  @ApiProperty({ enum: ['low', 'normal', 'urgent'] }) urgency!: string;
  @ApiProperty({ example: 'en' }) language!: string;
  @ApiProperty({
    enum: ['open', 'awaiting_payment', 'in_progress', 'resolved', 'completed', 'disputed', 'refunded', 'cancelled', 'expired'],
  })
  status!: RequestStatus;
  @ApiProperty({ type: 'integer' }) bidCount!: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) acceptedBidId!: string | null;
  @ApiProperty({ format: 'date-time' }) biddingClosesAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) reviewDueAt!: string | null;
  @ApiProperty({ type: AutomaticTransitionResponse, nullable: true }) nextAutomaticTransition!: AutomaticTransitionResponse | null;
  @ApiProperty({ description: 'True when the review window passed with no review and the escrow was released automatically.' })
  autoReleased!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(r: RequestFields, settings: RequestTimerSettings): RequestResponse {
    const next = nextAutomaticTransition(r, settings);
    return {
      id: r.id,
      customerId: r.customerId,
      title: r.title,
      description: r.description,
      category: r.category,
      maxBudget: MoneyDto.of(r.maxBudgetAmount, r.maxBudgetCurrency),
      urgency: r.urgency,
      language: r.language,
      status: r.status,
      bidCount: r.bidCount,
      acceptedBidId: r.acceptedBidId,
      biddingClosesAt: r.biddingClosesAt.toISOString(),
      reviewDueAt: r.reviewDueAt?.toISOString() ?? null,
      nextAutomaticTransition: next ? { name: next.name, at: next.at.toISOString() } : null,
      autoReleased: r.autoReleased ?? false,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}
