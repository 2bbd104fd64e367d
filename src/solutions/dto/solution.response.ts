import { ApiProperty } from '@nestjs/swagger';
import { SolutionRow } from '../solution-view';

export class SolutionExpertResponse {
  @ApiProperty({ format: 'uuid', description: "The expert's user id (GET /v1/experts/{id})." }) id!: string;
  @ApiProperty({ example: 'Ada' }) displayName!: string;
}

/**
 * A solution of the knowledge base: the request's public fields and the expert's public summary.
 * Never the private resolution note, the customer's description or identity, or an email (API3).
 */
export class SolutionResponse {
  @ApiProperty({ format: 'uuid', description: 'The help request this solution answered.' }) requestId!: string;
  @ApiProperty({ example: 'Printer shows offline even though it is on', description: 'The request title, as its customer posted it.' })
  title!: string;
  @ApiProperty({ example: 'printers' }) category!: string;
  @ApiProperty({ example: 'en' }) language!: string;
  @ApiProperty({ description: "The expert's public solution summary (never the private resolution note)." }) solution!: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5, nullable: true, description: "The customer's rating; null when released without one." })
  rating!: number | null;
  @ApiProperty({ type: 'integer', description: 'Every "this solved my problem" vote.' }) helpfulCount!: number;
  @ApiProperty({ type: SolutionExpertResponse }) expert!: SolutionExpertResponse;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the request was completed (null before).' })
  completedAt!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When it was published; null for an unpublished one, which only its customer, its expert and admins can read.',
  })
  publishedAt!: string | null;

  static from(row: SolutionRow): SolutionResponse {
    return {
      requestId: row.id,
      title: row.title,
      category: row.category,
      language: row.language,
      solution: row.solution_summary ?? '',
      rating: row.rating,
      helpfulCount: row.helpful_count,
      expert: { id: row.expert_id, displayName: row.expert_display_name },
      completedAt: row.closed_at?.toISOString() ?? null,
      publishedAt: row.published_at?.toISOString() ?? null,
    };
  }
}

export class SimilarSolutionsResponse {
  @ApiProperty({ type: [SolutionResponse], maxItems: 5, description: 'The closest published solutions, closest first.' })
  data!: SolutionResponse[];
}

export class HelpfulVoteResponse {
  @ApiProperty({ type: 'integer', description: "The solution's votes, this one included." }) helpfulCount!: number;
}
