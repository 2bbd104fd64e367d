import { Inject, Injectable } from '@nestjs/common';
import { refusal } from '../bids/bid-errors';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { withTransaction } from '../database/transaction';
import { EventsService } from '../events/events.service';
import { applyRequestEvent } from '../requests/domain/request-state';
import { RequestResponse } from '../requests/dto/request.response';
import { HelpRequest } from '../requests/help-request.entity';
import { RequestQueriesService } from '../requests/request-queries.service';
import { AutoReleaseService } from './auto-release.service';
import { ResolveRequestDto } from './dto/resolve-request.dto';
import { awardedExpertId } from './request-parties';

/**
 * The awarded expert says the problem is fixed: in_progress → resolved, the review window opens
 * (reviewDueAt), and the auto-release job is scheduled for its end in the same transaction.
 */
@Injectable()
export class ResolutionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queries: RequestQueriesService,
    private readonly autoRelease: AutoReleaseService,
    private readonly events: EventsService,
  ) {}

  async resolve(expert: Principal, id: string, dto: ResolveRequestDto, now = new Date()): Promise<HelpRequest> {
    return withTransaction(this.ds, async (em) => {
      const request = await this.lockAsAwardedExpert(em, expert, id);
      const moved = applyRequestEvent(request, { type: 'resolve' }, { now, settings: this.config });
      if (!moved.ok) throw refusal(moved);
      const repo = em.getRepository(HelpRequest);
      await repo.update(id, { status: moved.next.status, reviewDueAt: moved.next.reviewDueAt, resolvedAt: now, resolutionNote: dto.resolutionNote });
      const after = await repo.findOneByOrFail({ id });
      await this.autoRelease.scheduleAutoRelease(em, after);
      await this.events.record(em, id, 'request.resolved', RequestResponse.from(after, this.config), { expertId: expert.userId });
      return after;
    });
  }

  /** Invisible → 404 (API1); visible (the expert bid on it) but someone else's job → 403. */
  private async lockAsAwardedExpert(em: EntityManager, expert: Principal, id: string): Promise<HelpRequest> {
    const request = await this.queries.findVisible(em, expert, id, true);
    if ((await awardedExpertId(em, request)) !== expert.userId) {
      throw new DomainError('forbidden', 'Only the expert whose bid was accepted can resolve this request.');
    }
    return request;
  }
}
