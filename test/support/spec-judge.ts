import { PRISM_ERRORS } from './prism';
import { RawResponse, sendRaw } from './raw-http';
import { FuzzCase, preview } from './spec-fuzz';

/**
 * What one generated call proves. It goes through the strict proxy (requests and responses
 * checked); a request the proxy refuses is sent again past the request check (the lenient
 * proxy, responses still checked) or, without credentials the proxy accepts, to the app
 * itself, so the app's own answer to bad input is judged too. Any status ≥ 500, any response
 * the document does not describe, input the document forbids answered with success, and an
 * error outside the envelope are problems.
 */
export interface Targets {
  strict: string;
  lenient: string;
  app: string;
}

export interface Verdict {
  calls: number;
  problems: string[];
  /** The app's status (the last answer that came from it), 0 if none did. */
  status: number;
  /** The strict proxy refused the request (it breaks the document). */
  refused: boolean;
  /** The app's error code (and param), when it answered with an error. */
  error?: string;
}

interface Problem {
  type?: string;
  validation?: Array<{ location: string[]; message: string; code?: string | number }>;
}

const isPrismAnswer = (res: RawResponse) => String(res.headers['content-type'] ?? '').startsWith('application/problem+json');
const prismType = (res: RawResponse) => (isPrismAnswer(res) ? String((res.json as Problem | undefined)?.type ?? '').replace(PRISM_ERRORS, '') : undefined);

/** Response violations: the `sl-violations` header (warnings too) and the 500 `--errors` makes of errors. */
function responseViolations(res: RawResponse): string[] {
  const header = res.headers['sl-violations'];
  const listed: Array<{ location: string[]; message: string; severity?: string }> = [];
  if (typeof header === 'string') {
    try {
      listed.push(...JSON.parse(header.replace(/^Too many violations! /, '')));
    } catch {
      listed.push({ location: ['response'], message: header.slice(0, 300) });
    }
  }
  if (prismType(res) === 'VIOLATIONS') listed.push(...((res.json as Problem).validation ?? []));
  return [...new Set(listed.filter((v) => v.location?.[0] === 'response').map((v) => `${v.location.join('.')}: ${v.message}`))];
}

function isEnvelope(res: RawResponse): boolean {
  const error = (res.json as { error?: Record<string, unknown> } | undefined)?.error;
  return !!error && ['type', 'code', 'message', 'requestId'].every((key) => typeof error[key] === 'string');
}

/**
 * A refusal the app must agree with: a body, query or path that breaks the document. Headers the
 * app does not read in that call (X-On-Behalf-Of with a bearer token) and a body sent to a route
 * that reads none (Prism's 415) it may ignore.
 */
function bindingRefusal(res: RawResponse): boolean {
  if (prismType(res) !== 'UNPROCESSABLE_ENTITY') return false;
  const validation = (res.json as Problem).validation ?? [];
  return validation.some((v) => v.code !== 415 && (['body', 'query', 'path'].includes(v.location?.[0]) || (v.location ?? []).length === 0));
}

export async function judge(c: FuzzCase, targets: Targets): Promise<Verdict> {
  const label = `${c.op.key} [${c.kind}: ${c.what}] ${c.path.length > 120 ? `${c.path.slice(0, 120)}…` : c.path}`;
  const verdict: Verdict = { calls: 0, problems: [], status: 0, refused: false };
  const send = async (base: string) => {
    verdict.calls += 1;
    try {
      return await sendRaw(base, { method: c.method, path: c.path, query: c.query, headers: c.headers, body: c.body });
    } catch (error) {
      verdict.problems.push(`${label}: no answer from ${base === targets.app ? 'the app' : 'prism'} (${(error as Error).message})`);
      return undefined;
    }
  };
  /** The checks every answer passes; true when the answer came from the app (not Prism itself). */
  const check = (res: RawResponse, via: string): boolean => {
    const violations = responseViolations(res);
    if (violations.length) verdict.problems.push(`${label} via ${via}: ${res.status} breaks the spec: ${violations.join('; ')} ${preview(res.text)}`);
    if (isPrismAnswer(res)) return false;
    verdict.status = res.status;
    const error = (res.json as { error?: { code?: string; param?: string } } | undefined)?.error;
    verdict.error = error ? `${error.code}${error.param ? ` ${error.param}` : ''}` : undefined;
    if (res.status >= 500) verdict.problems.push(`${label} via ${via}: ${res.status} ${preview(res.text)}`);
    if (res.status >= 400 && !isEnvelope(res)) verdict.problems.push(`${label} via ${via}: ${res.status} not in the error envelope ${preview(res.text)}`);
    return true;
  };

  if (c.direct) {
    const res = await send(targets.app);
    if (res) check(res, 'app');
    return verdict;
  }
  const strict = await send(targets.strict);
  if (!strict || check(strict, 'prism')) return verdict;
  const type = prismType(strict);
  if (type === 'VIOLATIONS') return verdict;
  verdict.refused = type === 'UNPROCESSABLE_ENTITY' || type === 'UNAUTHORIZED' || type === 'INVALID_CONTENT_TYPE';
  if (c.kind === 'valid' && verdict.refused) {
    verdict.problems.push(`${label}: valid input refused by prism: ${preview(JSON.stringify((strict.json as Problem).validation ?? strict.json))}`);
  }
  // Past the request check: the lenient proxy when Prism accepts the credentials, the app itself when not.
  let answer = type === 'UNPROCESSABLE_ENTITY' || type === 'INVALID_CONTENT_TYPE' ? await send(targets.lenient) : undefined;
  let via = 'lenient prism';
  if (!answer || !check(answer, via)) {
    if (answer && prismType(answer) === 'VIOLATIONS') return verdict;
    answer = await send(targets.app);
    via = 'app';
    if (!answer || !check(answer, via)) return verdict;
  }
  if (bindingRefusal(strict) && answer.status < 400) {
    verdict.problems.push(`${label} via ${via}: ${answer.status} for input the spec forbids (${preview(JSON.stringify((strict.json as Problem).validation ?? ''))})`);
  }
  return verdict;
}

/** Counts over a run: the summary line, and (FUZZ_VERBOSE) statuses per operation and error codes. */
export class FuzzTally {
  calls = 0;
  fiveXX = 0;
  violations = 0;
  refused = 0;
  readonly problems: string[] = [];
  private readonly statuses = new Map<string, Record<number, number>>();
  private readonly codes = new Map<string, number>();

  add(c: FuzzCase, verdict: Verdict): void {
    this.calls += verdict.calls;
    this.refused += Number(verdict.refused);
    this.fiveXX += Number(verdict.status >= 500);
    this.violations += verdict.problems.filter((p) => p.includes('breaks the spec')).length;
    this.problems.push(...verdict.problems);
    const seen = this.statuses.get(c.op.key) ?? {};
    seen[verdict.status] = (seen[verdict.status] ?? 0) + 1;
    this.statuses.set(c.op.key, seen);
    const code = verdict.error?.split(' ')[0];
    if (code) this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }

  /** Operations the app answered with a 2xx at least once. */
  get succeeded(): number {
    return [...this.statuses.values()].filter((seen) => Object.keys(seen).some((s) => Number(s) >= 200 && Number(s) < 300)).length;
  }

  details(): string {
    const statuses = [...this.statuses].map(([key, seen]) => `  ${key}: ${JSON.stringify(seen)}`).join('\n');
    return `statuses by operation (0: no answer from the app):\n${statuses}\nerror codes: ${JSON.stringify(Object.fromEntries(this.codes))}`;
  }
}
