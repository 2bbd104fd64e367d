import { createServer, Server } from 'node:http';
import fc from 'fast-check';
import { localWebhookNetwork, seedFuzzWorld, FuzzWorld } from '../support/fuzz-world';
import { PrismProxy, startPrismProxy } from '../support/prism';
import { closeRawHttp } from '../support/raw-http';
import { Receiver } from '../support/receiver';
import { caseArbitrary, FuzzCase, loadFuzzDocument, Operation } from '../support/spec-fuzz';
import { FuzzTally, judge, Targets } from '../support/spec-judge';
import { loadSpecValidator } from '../support/spec-validator';
import { createTestApp, TestApp } from '../support/test-app';

/** Calls per operation: a short run in `npm test`, `FUZZ_RUNS=400 npm run fuzz` for a long one. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Operations fuzzed at once (each one's calls in order): the app, two proxies and the test share 2 CPUs. */
const PARALLEL = 4;

jest.setTimeout(Math.max(120_000, RUNS * 4_000));

/**
 * The spec under fire: every operation of openapi.yaml driven with generated valid and invalid
 * input through `prism proxy --errors`, which checks each request and response against the
 * document. No answer may be a 5xx, break the document, leave the error envelope, or accept
 * input the document forbids.
 */
describe('openapi.yaml under fire (generated calls through prism proxy)', () => {
  let t: TestApp;
  let receiver: Receiver;
  let world: FuzzWorld;
  let strict: PrismProxy;
  let lenient: PrismProxy;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await createTestApp({}, { webhookNetwork: localWebhookNetwork(receiver) });
    [world, strict, lenient] = await Promise.all([
      seedFuzzWorld(t, receiver),
      startPrismProxy(t.baseUrl),
      startPrismProxy(t.baseUrl, { validateRequest: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([strict?.stop(), lenient?.stop()]);
    await t?.close();
    await receiver?.stop();
    closeRawHttp();
  });

  it('prism can refuse an answer of every operation: every documented response has a schema it compiles (one it cannot, it skips in silence)', async () => {
    const spec = await loadSpecValidator();
    const unchecked: string[] = [];
    for (const op of spec.operations) {
      for (const response of op.responses) {
        if (response.code === 'default' || response.code === '204') continue;
        const key = `${op.method.toUpperCase()} ${op.path} ${response.code}`;
        if (!response.contents?.some((c) => c.schema)) unchecked.push(`${key}: no body schema`);
        else if (spec.responseProblems(op.method, op.path, Number(response.code), 12345).length === 0) unchecked.push(`${key}: 12345 passes`);
      }
    }
    expect(unchecked).toEqual([]);
  });

  it('the judge sees an answer that breaks the spec, a 5xx and an error outside the envelope (a fake app behind its own proxy)', async () => {
    const fake: Server = createServer((req, res) => {
      const answers: Record<string, [number, unknown]> = {
        '/v1/categories': [200, [{ slug: 5, name: 'Windows' }]],
        '/health/live': [500, { error: { type: 'api_error', code: 'internal', message: 'x', requestId: 'r' } }],
        '/health/ready': [503, { message: 'not the envelope' }],
      };
      const [status, body] = answers[req.url ?? ''] ?? [404, {}];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
    const proxy = await startPrismProxy(fakeUrl);
    try {
      const doc = loadFuzzDocument();
      const call = (key: string) => {
        const op = doc.operations.find((o) => o.key === key)!;
        const c: FuzzCase = { op, method: op.method, kind: 'valid', what: 'fixed', path: op.path, query: [], headers: {} };
        return judge(c, { strict: proxy.url, lenient: proxy.url, app: fakeUrl });
      };
      expect((await call('GET /v1/categories')).problems).toEqual([expect.stringContaining('breaks the spec: response.body.0.slug')]);
      expect((await call('GET /health/live')).problems).toEqual([expect.stringContaining('via prism: 500')]);
      expect((await call('GET /health/ready')).problems.join('\n')).toContain('breaks the spec');
    } finally {
      await proxy.stop();
      await new Promise<void>((resolve) => fake.close(() => resolve()));
    }
  });

  it(`every operation, ${RUNS} generated calls each: 0 5xx, 0 answers that break the spec`, async () => {
    const doc = loadFuzzDocument();
    const targets: Targets = { strict: strict.url, lenient: lenient.url, app: t.baseUrl };
    const tally = new FuzzTally();
    const started = Date.now();
    const fuzz = async ({ op, index }: { op: Operation; index: number }) => {
      for (const c of fc.sample(caseArbitrary(doc, op, world), { numRuns: RUNS, seed: SEED + index })) tally.add(c, await judge(c, targets));
    };
    // Deletions last, so the resources they remove serve the other operations first.
    const queue = doc.operations.map((op, index) => ({ op, index }));
    const first = queue.filter(({ op }) => op.method !== 'DELETE');
    const worker = async (items: typeof queue) => {
      for (let next = items.shift(); next; next = items.shift()) await fuzz(next);
    };
    await Promise.all(Array.from({ length: PARALLEL }, () => worker(first)));
    await worker(queue.filter(({ op }) => op.method === 'DELETE'));

    console.log(
      `spec fuzz: operations=${doc.operations.length} calls=${tally.calls} 5xx=${tally.fiveXX} violations=${tally.violations}` +
        ` (seed ${SEED}, ${RUNS} runs each, ${tally.refused} refused by prism, 2xx on ${tally.succeeded} operations,` +
        ` ${((Date.now() - started) / 1000).toFixed(1)} s)` + (process.env.FUZZ_VERBOSE ? `\n${tally.details()}` : ''),
    );
    expect([strict.crashed(), lenient.crashed()]).toEqual([undefined, undefined]);
    expect({ seed: SEED, problems: tally.problems.slice(0, 30), more: Math.max(0, tally.problems.length - 30) }).toEqual({ seed: SEED, problems: [], more: 0 });
  });
});
