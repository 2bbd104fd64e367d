import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait';

/**
 * `prism proxy openapi.yaml <app> --errors` as a child process: it checks every request and
 * every response against the checked-in document. With `--errors` a request that breaks the
 * document is answered by Prism itself (422, or 401 for a missing credential) and never reaches
 * the app, and a response that breaks it becomes a 500 `…#VIOLATIONS` problem; warnings ride in
 * the `sl-violations` header. `validateRequest: false` forwards every request (still checking
 * the response), so input the document forbids can reach the app through it.
 */
export interface PrismProxy {
  url: string;
  /** Why the proxy died during the run (its exit code and stderr), or undefined while it serves. */
  crashed(): string | undefined;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');
const PRISM_BIN = join(ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

/** Prism's own problem types (`https://stoplight.io/prism/errors#NAME`). */
export const PRISM_ERRORS = 'https://stoplight.io/prism/errors#';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startPrismProxy(upstream: string, options: { validateRequest?: boolean } = {}): Promise<PrismProxy> {
  const port = await freePort();
  const args = [
    PRISM_BIN, 'proxy', join(ROOT, 'openapi.yaml'), upstream,
    '--errors', '--cors=false', `--validate-request=${options.validateRequest ?? true}`,
    '--host', '127.0.0.1', '--port', String(port), '--verboseLevel', 'silent',
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor('prism to listen', async () => {
      if (child.exitCode !== null) throw new Error(`prism exited ${child.exitCode}: ${stderr}`);
      return fetch(`${url}/health/live`).then(() => true, () => false);
    }, 30_000);
  } catch (error) {
    child.kill();
    throw error;
  }
  let stopping = false;
  return {
    url,
    crashed: () => ((child.exitCode ?? child.signalCode) !== null && !stopping ? `prism exited (${child.exitCode ?? child.signalCode}): ${stderr}` : undefined),
    stop: async () => {
      stopping = true;
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}
