import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { notFound } from '../common/errors/domain-error';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { paginate } from '../common/pagination/paginate';
import { ExpertProfile } from '../experts/expert-profile.entity';
import { ExpertSkillReputation } from '../experts/expert-skill-reputation.entity';
import { skillReputationsOf } from '../experts/reputation.store';
import { HelpRequest } from '../requests/help-request.entity';
import { User } from '../users/user.entity';
import { RequestMatch } from './request-match.entity';

export type MatchWithExpert = RequestMatch & { expert: User; profile: ExpertProfile; skillReputation: ExpertSkillReputation[] };

/** GET /v1/requests/:id/matches: the experts paired with one request, best first. */
@Injectable()
export class RequestMatchesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cursors: CursorCodec,
  ) {}

  /** Only the request's owner may look; anyone else gets 404, as if it did not exist (API1). */
  async matchesForRequest(caller: Principal, requestId: string, page: { limit: number; cursor?: string }): Promise<Page<MatchWithExpert>> {
    const owned = await this.ds.getRepository(HelpRequest).exists({ where: { id: requestId, customerId: caller.userId } });
    if (!owned) throw notFound('Request');
    // A request has at most a few hundred pairings (MAX_CANDIDATES): IDX_request_matches_request_score finds them.
    const qb = this.ds
      .getRepository(RequestMatch)
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.expert', 'u')
      .innerJoinAndMapOne('m.profile', ExpertProfile, 'p', 'p.userId = m.expertId')
      .where('m.requestId = :requestId', { requestId })
      .andWhere('u.suspendedAt IS NULL');
    const found = await paginate(qb, this.cursors, {
      sort: 'm.score',
      id: 'm.expertId',
      direction: 'DESC',
      limit: page.limit,
      cursor: page.cursor,
      scope: `requests:${requestId}:matches`,
    });
    const rows = await skillReputationsOf(this.ds.manager, found.data.map((m) => m.expertId));
    return { ...found, data: found.data.map((m) => Object.assign(m as MatchWithExpert, { skillReputation: rows.get(m.expertId) ?? [] })) };
  }
}
