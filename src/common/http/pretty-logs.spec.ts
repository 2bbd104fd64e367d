import { formatPretty, logFormat, prettyDestination } from './logging';

const at = new Date(2026, 10, 30, 9, 5, 7).getTime();
const line = (rec: object) => JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'vm', ...rec });

describe('pretty logs (development at a terminal)', () => {
  it('are chosen only for a TTY outside production', () => {
    expect(logFormat('development', { isTTY: true })).toBe('pretty');
    expect(logFormat('development', { isTTY: false })).toBe('json');
    expect(logFormat('development', {})).toBe('json');
    expect(logFormat('production', { isTTY: true })).toBe('json');
  });

  it('show one line per record: time, level, context, message, other fields', () => {
    const text = formatPretty(line({ context: 'JobsService', msg: 'job failed', job: 'payout', level: 50 }), { level: 'info', color: false });
    expect(text).toBe('09:05:07 ERROR JobsService: job failed job=payout');
  });

  it('show a request as method, path, status and time, and an error with its stack below', () => {
    expect(formatPretty(line({ req: { id: 'r1', method: 'GET', url: '/v1/me' }, res: { statusCode: 200 }, responseTime: 4, requestId: 'r1', msg: 'request completed' }), { level: 'info', color: false })).toBe(
      '09:05:07 INFO  GET /v1/me 200 4 ms',
    );
    const withError = formatPretty(line({ level: 40, msg: 'lost', err: { message: 'boom', stack: 'Error: boom\n    at x' } }), { level: 'info', color: false });
    expect(withError).toBe('09:05:07 WARN  lost\n    Error: boom\n        at x');
  });

  it("hide Nest's module-loading lines at info, show them at debug", () => {
    const boot = line({ context: 'InstanceLoader', msg: 'AppModule dependencies initialized' });
    expect(formatPretty(boot, { level: 'info', color: false })).toBeUndefined();
    expect(formatPretty(boot, { level: 'debug', color: false })).toContain('InstanceLoader: AppModule dependencies initialized');
    expect(formatPretty(line({ context: 'InstanceLoader', level: 50, msg: 'cannot resolve' }), { level: 'info', color: false })).toContain('ERROR');
  });

  it('pass through what is not JSON, and write each record of a chunk on its own line', () => {
    const out: string[] = [];
    const dest = prettyDestination('info', { write: (t: string) => out.push(t) }, false);
    dest.write(`${line({ msg: 'one' })}\n${line({ msg: 'two' })}\nplain text\n`);
    expect(out).toEqual(['09:05:07 INFO  one\n', '09:05:07 INFO  two\n', 'plain text\n']);
  });
});
