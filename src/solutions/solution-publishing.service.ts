import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { refusal } from '../common/errors/domain-error';
import { withTransaction } from '../database/transaction';
import { LockedRequest, RequestLifecycle } from '../requests/request-lifecycle.service';
import { publishProblem } from './domain/publication-rules';
import { vocabularyOf } from './domain/search-plan';
import { SolutionResponse } from './dto/solution.response';
import { solutionNotFound, SolutionQueriesService } from './solution-queries.service';
import { SolutionRow } from './solution-view';

/**
 * Putting a solution in the knowledge base and taking it out. The customer publishes (at review,
 * or later and again) and unpublishes; an admin takes one down with a reason, which the customer
 * cannot undo. Each runs under the request's row lock, through its lifecycle (the one writer of
 * help_requests); publishing records `solution.published` and adds the solution's words to the
 * spelling list in the same transaction.
 */
@Injectable()
export class SolutionPublishingService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly lifecycle: RequestLifecycle,
    private readonly queries: SolutionQueriesService,
  ) {}

  /** The request's customer publishes its solution; publishing a published one changes nothing (200). */
  async publish(customer: Principal, requestId: string, now = new Date()): Promise<SolutionRow> {
    return withTransaction(this.ds, async (em) => {
      const locked = await this.lockOwn(em, customer, requestId);
      await this.publishInTransaction(em, locked, now);
      return this.current(em, requestId);
    });
  }

  /**
   * Publishes the locked request's solution inside the caller's transaction (the review with
   * `publishSolution: true` calls it once the request is completed). Nothing happens when it is
   * published already.
   */
  async publishInTransaction(em: EntityManager, locked: LockedRequest, now: Date): Promise<void> {
    const problem = publishProblem(locked.request);
    if (problem) throw refusal(problem);
    if (locked.request.publishedAt) return;
    const request = await this.lifecycle.setPublication(em, locked, { publishedAt: now }, async (written) => ({
      type: 'solution.published',
      object: SolutionResponse.from(await this.current(em, written.id)),
      expertId: locked.awardedExpertId,
    }));
    const words = vocabularyOf(`${request.title} ${request.solutionSummary ?? ''}`);
    // In sorted order, so two publications sharing words wait on each other, never in a circle.
    await em.query(`INSERT INTO solution_terms (term) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [words]);
  }

  /** The customer takes their solution out of the knowledge base (again: nothing changes). */
  async unpublish(customer: Principal, requestId: string): Promise<SolutionRow> {
    return withTransaction(this.ds, async (em) => {
      const locked = await this.lockOwn(em, customer, requestId);
      if (!locked.request.solutionSummary) throw solutionNotFound();
      if (locked.request.publishedAt) await this.lifecycle.setPublication(em, locked, { publishedAt: null });
      return this.current(em, requestId);
    });
  }

  /** An admin takes a solution down (moderation), published or not: it stays down, with the reason kept. */
  async takeDown(requestId: string, reason: string): Promise<SolutionRow> {
    return withTransaction(this.ds, async (em) => {
      const locked = await this.lifecycle.lock(em, requestId);
      if (!locked?.request.solutionSummary) throw solutionNotFound();
      await this.lifecycle.setPublication(em, locked, { publishedAt: null, unpublishedReason: reason });
      return this.current(em, requestId);
    });
  }

  /** The request locked, if it is the caller's own; anyone else's is not found (API1). */
  private async lockOwn(em: EntityManager, customer: Principal, requestId: string): Promise<LockedRequest> {
    const locked = await this.lifecycle.lock(em, requestId);
    if (!locked || locked.request.customerId !== customer.userId) throw solutionNotFound();
    return locked;
  }

  private async current(em: EntityManager, requestId: string): Promise<SolutionRow> {
    const row = await this.queries.load(em, requestId);
    if (!row) throw new Error(`request ${requestId} has no awarded expert: not a solution`);
    return row;
  }
}
