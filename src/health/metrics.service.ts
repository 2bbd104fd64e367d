import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { transactionRetries } from '../database/transaction';

/**
 * One Prometheus registry per application instance: tests run several apps in one process,
 * and the global registry would refuse the second `http_request_duration_seconds`.
 */
@Injectable()
export class MetricsService {
  private readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'db_transaction_retries_total',
    help: 'Transactions run again after a serialization failure (40001) or a deadlock (40P01), by SQLSTATE',
    labelNames: ['sqlstate'] as const,
    registers: [this.registry],
    collect() {
      this.reset();
      for (const [sqlstate, count] of Object.entries(transactionRetries)) this.inc({ sqlstate }, count);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
