import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, notFound } from '../common/errors/domain-error';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page } from '../common/pagination/keyset';
import { paginate } from '../common/pagination/paginate';
import { withTransaction } from '../database/transaction';
import { MatchingService } from '../matching/matching.service';
import { ListExpertsQuery } from './dto/list-experts.query';
import { UpsertExpertProfileDto } from './dto/upsert-expert-profile.dto';
import { EMPTY_TALLY, skillReputationScore } from './domain/reputation';
import { ExpertProfile } from './expert-profile.entity';
import { ExpertSkillReputation } from './expert-skill-reputation.entity';
import { skillReputationsOf } from './reputation.store';

/** A profile with its user (displayName, memberSince) and its skill reputation rows (bySkill). */
export type ExpertWithUser = ExpertProfile & { user: NonNullable<ExpertProfile['user']>; skillReputation: ExpertSkillReputation[] };

/**
 * Sort keys of GET /v1/experts. The rating expression is the one IDX_expert_profiles_rating
 * indexes (migrations/*-ExpertListIndexes.ts): change both or neither. With `skill`,
 * `reputation` is that skill's score (IDX_expert_skill_reputation_rank), keyed by its expert id.
 */
const SORT_KEYS = {
  reputation: { sort: 'p.reputationScore', id: 'p.userId' },
  skillReputation: { sort: 's.score', id: 's.expertId' },
  rating: { sort: 'COALESCE("p"."rating_sum"::numeric / NULLIF("p"."rating_count", 0), 0)', id: 'p.userId' },
} as const;

/** The full-text document IDX_expert_profiles_search indexes; the same expression, or no index. */
const PROFILE_DOCUMENT = `to_tsvector('english', p.headline || ' ' || p.bio)`;

const unique = (values: string[]) => [...new Set(values)];

@Injectable()
export class ExpertsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cursors: CursorCodec,
    private readonly matching: MatchingService,
  ) {}

  /**
   * Creates or replaces the caller's profile, gives each listed skill its reputation row (an empty
   * record there, pulled toward the overall score), then re-matches them against open requests in
   * the same transaction, so the feed never shows pairings computed from the profile it replaced.
   */
  async upsertProfile(expertId: string, input: UpsertExpertProfileDto): Promise<ExpertWithUser> {
    const skills = unique(input.skills);
    const languages = unique(input.languages);
    await withTransaction(this.ds, async (em) => {
      await this.requireCategories(em, skills);
      // ON CONFLICT takes the profile row lock: concurrent updates by one expert run one after the
      // other, and the skill rows below are written under it, as every reputation write is.
      const [{ reputation_score: overall }]: Array<{ reputation_score: number }> = await em.query(
        `INSERT INTO expert_profiles (user_id, headline, bio, skills, languages, available, last_active_at)
         VALUES ($1, $2, $3, $4::text[], $5::text[], $6, now())
         ON CONFLICT (user_id) DO UPDATE SET
           headline = EXCLUDED.headline, bio = EXCLUDED.bio, skills = EXCLUDED.skills,
           languages = EXCLUDED.languages, available = EXCLUDED.available,
           last_active_at = now(), updated_at = now()
         RETURNING reputation_score`,
        [expertId, input.headline, input.bio ?? '', skills, languages, input.available],
      );
      await em.query(
        `INSERT INTO expert_skill_reputation (expert_id, skill, score)
         SELECT $1, skill, $3 FROM unnest($2::text[]) AS skill
         ON CONFLICT (expert_id, skill) DO NOTHING`,
        [expertId, skills, skillReputationScore(EMPTY_TALLY, overall)],
      );
      await this.matching.matchExpert(em, expertId);
    });
    return this.getPublicProfile(expertId);
  }

  /** 404 for anyone who is not an expert with a profile, and for suspended experts. */
  async getPublicProfile(expertId: string): Promise<ExpertWithUser> {
    const found = await this.visibleProfiles(this.ds.manager).andWhere('p.userId = :expertId', { expertId }).getOne();
    if (!found) throw notFound('Expert');
    const [withSkills] = await this.withSkillReputation([found]);
    return withSkills;
  }

  /** With `skill`, `sort=reputation` ranks by that skill's score; otherwise by the overall score. */
  async list(query: ListExpertsQuery): Promise<Page<ExpertWithUser>> {
    const qb = this.visibleProfiles(this.ds.manager);
    let key: (typeof SORT_KEYS)[keyof typeof SORT_KEYS] = SORT_KEYS[query.sort];
    if (query.skill !== undefined) {
      await this.requireCategories(this.ds.manager, [query.skill], 'skill');
      qb.andWhere('p.skills @> ARRAY[:skill]::text[]', { skill: query.skill });
      if (query.sort === 'reputation') {
        // Every listed skill has its row (the profile save makes it), so the inner join drops no one.
        qb.innerJoin(ExpertSkillReputation, 's', 's.expertId = p.userId AND s.skill = :skill');
        key = SORT_KEYS.skillReputation;
      }
    }
    if (query.q !== undefined) {
      qb.andWhere(`${PROFILE_DOCUMENT} @@ websearch_to_tsquery('english', :q)`, { q: query.q });
    }
    const page = await paginate(qb, this.cursors, {
      ...key,
      direction: 'DESC',
      limit: query.limit,
      cursor: query.cursor,
      // A cursor names its list: another sort or another skill's ranking refuses it.
      scope: key === SORT_KEYS.skillReputation ? `experts:reputation:skill:${query.skill}:desc` : `experts:${query.sort}:desc`,
    });
    return { ...page, data: await this.withSkillReputation(page.data) };
  }

  /** Each profile with its skill reputation rows, in one query for the page. */
  private async withSkillReputation(profiles: ExpertProfile[]): Promise<ExpertWithUser[]> {
    const rows = await skillReputationsOf(this.ds.manager, profiles.map((p) => p.userId));
    return profiles.map((p) => Object.assign(p as ExpertWithUser, { skillReputation: rows.get(p.userId) ?? [] }));
  }

  private visibleProfiles(em: EntityManager) {
    return em
      .getRepository(ExpertProfile)
      .createQueryBuilder('p')
      .innerJoinAndSelect('p.user', 'u')
      .where(`u.role = 'expert'`)
      .andWhere('u.suspendedAt IS NULL');
  }

  /** Unknown slugs are a 400 naming the field, like an unknown category on a request. */
  private async requireCategories(em: EntityManager, slugs: string[], param = 'skills'): Promise<void> {
    const rows: Array<{ slug: string }> = await em.query(`SELECT slug FROM categories WHERE slug = ANY($1::text[])`, [slugs]);
    const known = new Set(rows.map((r) => r.slug));
    const missing = slugs.find((s) => !known.has(s));
    if (missing !== undefined) throw new DomainError('invalid_field', `Unknown category "${missing}".`, param);
  }
}
