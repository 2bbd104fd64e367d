import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/test-app';

/** The sample lines of the request-duration histogram's `_count` series. */
function durationCounts(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count{'));
}

describe('/metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves the Prometheus text format with default process metrics', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
    expect(res.text).toMatch(/^# TYPE nodejs_heap_size_used_bytes gauge$/m);
    expect(res.text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
  });

  it('labels request durations by method, route pattern and status; unmatched routes share one label', async () => {
    await t.http.get('/health/ready').expect(200);
    await t.http.get('/health/live').expect(200);
    const rawMissing = `/v1/no-such-route/${randomUUID()}`;
    await t.http.get(rawMissing).expect(404);
    // A wildcard route: the label is its pattern, not the file asked for.
    await t.http.get('/docs/swagger-ui.css').expect(200);

    const text = (await t.http.get('/metrics').expect(200)).text;
    const counts = durationCounts(text);
    expect(counts).toContain('http_request_duration_seconds_count{method="GET",route="/health/ready",status_code="200"} 1');
    expect(counts).toContain('http_request_duration_seconds_count{method="GET",route="/health/live",status_code="200"} 1');
    expect(counts).toContain('http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1');
    expect(counts.some((l) => l.includes('route="/docs/*"'))).toBe(true);
    expect(text).not.toContain(rawMissing);
    expect(text).not.toContain('swagger-ui.css');
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/health\/ready",status_code="200"\} 1$/m);
  });

  it('each app instance has its own registry (a second app in the process neither throws nor shares counts)', async () => {
    const live = 'http_request_duration_seconds_count{method="GET",route="/health/live",status_code="200"}';
    const myLiveCount = async () => durationCounts((await t.http.get('/metrics').expect(200)).text).find((l) => l.startsWith(live));
    const before = await myLiveCount();
    const other = await createTestApp({}, { databaseUrl: t.databaseUrl });
    try {
      await other.http.get('/health/live').expect(200);
      await other.http.get('/health/live').expect(200);
      const theirs = durationCounts((await other.http.get('/metrics').expect(200)).text);
      expect(theirs).toContain(`${live} 2`);
      expect(await myLiveCount()).toEqual(before);
    } finally {
      await other.close();
    }
  });

  it('is left out of the API reference', async () => {
    const doc = (await t.http.get('/openapi.json').expect(200)).body;
    expect(doc.paths['/metrics']).toBeUndefined();
  });
});
