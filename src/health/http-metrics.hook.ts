import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MetricsService } from './metrics.service';

/**
 * Times every response by its route pattern (`/v1/requests/:id`), never the raw URL, so ids
 * cannot blow up the label set; requests no route matched share the label `unmatched`.
 */
export function registerHttpMetrics(app: NestFastifyApplication): void {
  const { httpDuration } = app.get(MetricsService);
  app.getHttpAdapter().getInstance().addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
