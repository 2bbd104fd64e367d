import { performance } from 'node:perf_hooks';
import { ValidationPipe } from '@nestjs/common';
import { AccessTokenGuard } from '../src/auth/access-token.guard';
import { RolesGuard } from '../src/auth/roles.guard';
import { IdempotencyInterceptor } from '../src/common/idempotency/idempotency.interceptor';
import { RateLimitGuard } from '../src/common/rate-limit/rate-limit.guard';

/** Every global guard, interceptor and pipe, in the order Nest runs them (app.module.ts, app.factory.ts). */
const TARGETS: Array<{ name: string; owner: { prototype: object }; method: string }> = [
  { name: 'AccessTokenGuard (JWT or key, principal)', owner: AccessTokenGuard, method: 'canActivate' },
  { name: 'RateLimitGuard (budgets)', owner: RateLimitGuard, method: 'canActivate' },
  { name: 'RolesGuard', owner: RolesGuard, method: 'canActivate' },
  { name: 'IdempotencyInterceptor (before handler)', owner: IdempotencyInterceptor, method: 'intercept' },
  { name: 'ValidationPipe (all params)', owner: ValidationPipe, method: 'transform' },
];

export interface Cost {
  name: string;
  calls: number;
  totalMs: number;
}

export interface CostMeter {
  reset(): void;
  read(): Cost[];
  restore(): void;
}

/**
 * Wraps each target's method on its class prototype with performance.now() until its result
 * settles (a returned promise included), so a guard's await on the database would count. The
 * wrapper itself costs well under a microsecond; it is only installed for the cost runs.
 */
export function meterGlobalHooks(): CostMeter {
  const totals = TARGETS.map((t) => ({ name: t.name, calls: 0, totalMs: 0 }));
  const restores: Array<() => void> = [];
  TARGETS.forEach((target, i) => {
    const proto = target.owner.prototype as Record<string, unknown>;
    const own = Object.prototype.hasOwnProperty.call(proto, target.method);
    const original = proto[target.method] as (...args: unknown[]) => unknown;
    const add = (started: number) => {
      totals[i].calls++;
      totals[i].totalMs += performance.now() - started;
    };
    proto[target.method] = function metered(this: unknown, ...args: unknown[]) {
      const started = performance.now();
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (err) {
        add(started);
        throw err;
      }
      if (result instanceof Promise) {
        return result.then(
          (value) => (add(started), value),
          (err) => {
            add(started);
            throw err;
          },
        );
      }
      add(started);
      return result;
    };
    restores.push(() => (own ? (proto[target.method] = original) : delete proto[target.method]));
  });
  return {
    reset: () => totals.forEach((t) => ((t.calls = 0), (t.totalMs = 0))),
    read: () => totals.map((t) => ({ ...t })),
    restore: () => restores.forEach((r) => r()),
  };
}

/** One column per route: µs per completed request for each hook, and the request's own p50. */
export function renderCosts(columns: Array<{ label: string; requests: number; p50Ms: number; costs: Cost[] }>): string {
  const names = columns[0]?.costs.map((c) => c.name) ?? [];
  const header = ['µs per request', ...columns.map((c) => c.label)];
  const us = (ms: number, n: number) => ((ms * 1000) / Math.max(1, n)).toFixed(1);
  const body = names.map((name, i) => [name, ...columns.map((c) => us(c.costs[i].totalMs, c.requests))]);
  body.push(['all of the above', ...columns.map((c) => us(c.costs.reduce((s, x) => s + x.totalMs, 0), c.requests))]);
  body.push(['the whole request, p50 (client side)', ...columns.map((c) => (c.p50Ms * 1000).toFixed(0))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
