import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CategoriesService } from '../categories/categories.service';
import { Principal } from '../common/auth/principal';
import { notFound } from '../common/errors/domain-error';
import { CursorCodec } from '../common/pagination/cursor.codec';
import { Page, toPage } from '../common/pagination/keyset';
import { acceptableFix, CORRECTION_MIN_SIMILARITY, correctable, planSearch, searchTerms } from './domain/search-plan';
import { ListSolutionsQuery } from './dto/list-solutions.query';
import { scoredSql } from './solution-search';
import { PUBLICLY_VISIBLE, SOLUTION_COLUMNS, SOLUTION_JOINS, SolutionRow } from './solution-view';

/** How many solutions GET /v1/solutions/similar answers. */
export const SIMILAR_COUNT = 5;

export const solutionNotFound = () => notFound('Solution');

type SortedRow = SolutionRow & { sort_key: string };

/**
 * Reading the knowledge base. Anyone reads published solutions of experts who are not
 * suspended; the request's customer, its expert and admins also read one that is not (yet, or
 * any more) published, as long as the expert wrote a summary. Everyone else gets 404 (API1).
 */
@Injectable()
export class SolutionQueriesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cursors: CursorCodec,
    private readonly categories: CategoriesService,
  ) {}

  async get(caller: Principal | undefined, requestId: string): Promise<SolutionRow> {
    const row = await this.load(this.ds.manager, requestId);
    if (!row || !row.solution_summary || !this.mayRead(caller, row)) throw solutionNotFound();
    return row;
  }

  /** The solution row as it is in this transaction (for events and answers), visibility not applied. */
  async load(em: EntityManager, requestId: string): Promise<SolutionRow | null> {
    const [row] = (await em.query(`SELECT ${SOLUTION_COLUMNS} FROM help_requests r ${SOLUTION_JOINS} WHERE r.id = $1`, [requestId])) as SolutionRow[];
    return row ?? null;
  }

  /** Whether anyone may read it right now (published, completed, expert not suspended). */
  isPublic(row: SolutionRow): boolean {
    return row.published_at !== null && row.status === 'completed' && row.expert_suspended_at === null;
  }

  /** Published solutions: ranked by relevance with `q`, newest completed first without. */
  async list(query: ListSolutionsQuery): Promise<Page<SolutionRow>> {
    if (query.category !== undefined) await this.categories.requireExisting(query.category, 'category');
    return query.q === undefined ? this.newest(query) : this.ranked(query, query.q);
  }

  /** The published solutions closest to a draft request, closest first (at most SIMILAR_COUNT); on a tie, the more helpful, then the newer. */
  async similar(text: string): Promise<SolutionRow[]> {
    const words = searchTerms(text);
    const sql = scoredSql(planSearch(words, await this.corrections(words)), 'rarity');
    if (!sql) return [];
    return (await this.ds.query(
      `${sql.with}
       SELECT ${SOLUTION_COLUMNS} FROM scored s JOIN help_requests r ON r.id = s.id ${SOLUTION_JOINS}
        WHERE ${PUBLICLY_VISIBLE}
        ORDER BY s.score DESC, helpful_count DESC, r.closed_at DESC, r.id DESC
        LIMIT ${SIMILAR_COUNT}`,
      sql.params,
    )) as SolutionRow[];
  }

  /**
   * For each word the solutions never used, the word they did use that it most resembles
   * (trigram similarity over solution_terms, by its index), when close enough: "pasword" →
   * "password". One statement for all the words.
   */
  async corrections(words: readonly string[]): Promise<Map<string, string>> {
    const asked = words.filter(correctable);
    if (asked.length === 0) return new Map();
    const rows = (await this.ds.query(
      `SELECT w.word, m.term, m.similarity
         FROM unnest($1::text[]) AS w(word)
         CROSS JOIN LATERAL (
           SELECT t.term, similarity(t.term, w.word) AS similarity FROM solution_terms t
            WHERE t.term % w.word ORDER BY similarity DESC, t.term LIMIT 1
         ) m
        WHERE NOT EXISTS (SELECT 1 FROM solution_terms k WHERE k.term = w.word)`,
      [asked],
    )) as Array<{ word: string; term: string; similarity: number }>;
    return new Map(rows.filter((r) => r.similarity >= CORRECTION_MIN_SIMILARITY && acceptableFix(r.term)).map((r) => [r.word, r.term]));
  }

  private mayRead(caller: Principal | undefined, row: SolutionRow): boolean {
    if (this.isPublic(row)) return true;
    if (!caller) return false;
    return caller.role === 'admin' || caller.userId === row.customer_id || caller.userId === row.expert_id;
  }

  private filters(query: ListSolutionsQuery, params: unknown[]): string {
    const where: string[] = [];
    if (query.category !== undefined) where.push(`r.category = $${params.push(query.category)}`);
    if (query.language !== undefined) where.push(`r.language = $${params.push(query.language)}`);
    return where.map((w) => ` AND ${w}`).join('');
  }

  private async newest(query: ListSolutionsQuery): Promise<Page<SolutionRow>> {
    const scope = 'solutions:completedAt:desc';
    const params: unknown[] = [];
    let where = `${PUBLICLY_VISIBLE}${this.filters(query, params)}`;
    if (query.cursor !== undefined) {
      const after = this.cursors.decode(query.cursor, scope);
      where += ` AND (r.closed_at, r.id) < ($${params.push(after.sort)}::timestamptz, $${params.push(after.id)}::uuid)`;
    }
    const rows = (await this.ds.query(
      `SELECT ${SOLUTION_COLUMNS}, r.closed_at::text AS sort_key FROM help_requests r ${SOLUTION_JOINS}
        WHERE ${where} ORDER BY r.closed_at DESC, r.id DESC LIMIT ${query.limit + 1}`,
      params,
    )) as SortedRow[];
    return this.page(rows, query.limit, scope);
  }

  /** Ranked by points (an integer per solution and query): the cursor is (points, id). */
  private async ranked(query: ListSolutionsQuery, q: string): Promise<Page<SolutionRow>> {
    const digest = createHash('sha256').update(q).digest('base64url').slice(0, 16);
    const scope = `solutions:rank:${digest}`;
    const after = query.cursor !== undefined ? this.cursors.decode(query.cursor, scope) : undefined;
    const sql = scoredSql(planSearch(searchTerms(q)), 'points');
    if (!sql) return { data: [], hasMore: false, nextCursor: null };
    const params = [...sql.params];
    let where = `${PUBLICLY_VISIBLE}${this.filters(query, params)}`;
    if (after) where += ` AND (s.score, r.id) < ($${params.push(after.sort)}::int, $${params.push(after.id)}::uuid)`;
    const rows = (await this.ds.query(
      `${sql.with}
       SELECT ${SOLUTION_COLUMNS}, s.score::text AS sort_key FROM scored s JOIN help_requests r ON r.id = s.id ${SOLUTION_JOINS}
        WHERE ${where} ORDER BY s.score DESC, r.id DESC LIMIT ${query.limit + 1}`,
      params,
    )) as SortedRow[];
    return this.page(rows, query.limit, scope);
  }

  private page(rows: SortedRow[], limit: number, scope: string): Page<SolutionRow> {
    return toPage(
      rows,
      limit,
      (row) => row,
      (row) => this.cursors.encode({ sort: row.sort_key, id: row.id }, scope),
    );
  }
}
