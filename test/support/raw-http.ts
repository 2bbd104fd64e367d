import { Agent, IncomingHttpHeaders, request } from 'node:http';

/**
 * HTTP with nothing in the way: the path and query are sent byte for byte as built here (a
 * lone surrogate becomes the malformed UTF-8 a hostile client would send), the body as given.
 * supertest and fetch would normalise or refuse exactly the input a fuzzer wants to send.
 */
export interface RawRequest {
  method: string;
  /** Already percent-encoded (see `encodeSegment`). */
  path: string;
  query?: Array<[string, string]>;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** encodeURIComponent that does not throw on a lone surrogate: it goes out as its 3 WTF-8 bytes. */
export function encodeSegment(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/**
 * One call; a reused kept-alive socket the server closed meanwhile (ECONNRESET, "socket hang up"
 * before any answer) is retried once on a fresh connection, so the race of idle sockets is not
 * mistaken for a server that drops calls — one that does fails the second time too.
 */
export async function sendRaw(base: string, req: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  try {
    return await sendOnce(base, req, timeoutMs, true);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') throw error;
    return sendOnce(base, req, timeoutMs, false);
  }
}

function sendOnce(base: string, req: RawRequest, timeoutMs: number, reuse: boolean): Promise<RawResponse> {
  const search = req.query?.length ? `?${req.query.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&')}` : '';
  const url = new URL(base);
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(req.body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, method: req.method, path: `${req.path}${search}`, headers, agent: reuse ? agent : false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer in ${timeoutMs} ms: ${req.method} ${req.path}`)));
    outgoing.on('error', reject);
    if (req.body !== undefined) outgoing.write(req.body);
    outgoing.end();
  });
}

/** Closes the kept-alive sockets (so jest can exit). */
export const closeRawHttp = (): void => agent.destroy();
