import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { withTransaction } from '../database/transaction';
import { HelpRequest } from '../requests/help-request.entity';
import { RequestQueriesService } from '../requests/request-queries.service';
import { RequestLifecycle } from '../requests/request-lifecycle.service';
import { ResolveRequestDto } from './dto/resolve-request.dto';

/**
 * The awarded expert says the problem is fixed: in_progress → resolved, the review window opens
 * (reviewDueAt), and the lifecycle schedules the auto-release for its end in the same transaction.
 * The private note and the optional public summary are stored with the move.
 */
@Injectable()
export class ResolutionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly queries: RequestQueriesService,
    private readonly lifecycle: RequestLifecycle,
  ) {}

  async resolve(expert: Principal, id: string, dto: ResolveRequestDto, now = new Date()): Promise<HelpRequest> {
    return withTransaction(this.ds, async (em) => {
      // Invisible → 404 (API1); visible (the expert bid on it) but someone else's job → 403.
      const locked = await this.queries.lockVisible(em, expert, id);
      if (locked.awardedExpertId !== expert.userId) {
        throw new DomainError('forbidden', 'Only the expert whose bid was accepted can resolve this request.');
      }
      const { request } = await this.lifecycle.apply(em, locked, { type: 'resolve' }, {
        now,
        // A reopened job resolved again without a summary keeps the first round's: it may be published.
        data: { resolutionNote: dto.resolutionNote, solutionSummary: dto.solutionSummary ?? locked.request.solutionSummary ?? null },
      });
      return request;
    });
  }
}
