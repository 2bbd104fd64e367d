import { ApiProperty } from '@nestjs/swagger';
import { Review } from '../review.entity';

/** A review; also the `object` of the `review.created` event. */
export class ReviewResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiProperty({ format: 'uuid' }) expertId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5 }) rating!: number;
  @ApiProperty() resolved!: boolean;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty() publishSolution!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(review: Review): ReviewResponse {
    return {
      id: review.id,
      requestId: review.requestId,
      expertId: review.expertId,
      rating: review.rating,
      resolved: review.resolved,
      comment: review.comment,
      publishSolution: review.publishSolution,
      createdAt: review.createdAt.toISOString(),
    };
  }
}
