import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyFixbidSignature } from '../../examples/verify-signature';
import { newWebhookSecret, signatureHeader } from '../../src/webhooks/domain/webhook-signature';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The first line where two texts differ, to point at the drift. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}:\n  committed: ${JSON.stringify(a[at])}\n  generated: ${JSON.stringify(b[at])}`;
}

/** The typed client (client/) and the partner example's signature check, as the README shows them. */
describe('typed client and partner example', () => {
  it('the committed client/schema.gen.ts is what `npm run openapi` generates from the committed openapi.yaml', () => {
    const generated = execFileSync(process.execPath, [join(ROOT, 'scripts', 'generate-client.mjs'), '--stdout'], { encoding: 'utf8' });
    const committed = read('client/schema.gen.ts');
    if (committed !== generated) {
      throw new Error(
        'client/schema.gen.ts is out of date with openapi.yaml: run `npm run openapi` and commit the result.\n' +
          firstDifference(committed, generated),
      );
    }
  });

  it("the README's \"For partners\" shows the example's verification function verbatim", () => {
    const source = read('examples/verify-signature.ts').trim();
    expect(read('README.md')).toContain(source);
  });

  it("the example's verification accepts what the server signs, both secrets during a rotation, and nothing else", () => {
    const [secret, next] = [newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ id: 'e1', type: 'ping', requestId: null, sequence: 0, data: { object: { note: 'héllo' } } });
    const now = Math.floor(Date.now() / 1000);
    const header = signatureHeader([secret], now, body);
    expect(verifyFixbidSignature(header, body, secret)).toBe(true);
    const rotating = signatureHeader([secret, next], now, body);
    expect(verifyFixbidSignature(rotating, body, secret)).toBe(true);
    expect(verifyFixbidSignature(rotating, body, next)).toBe(true);
    expect(verifyFixbidSignature(rotating.toUpperCase().replace('T=', 't=').replaceAll('V1=', 'v1='), body, next)).toBe(true);
    expect(verifyFixbidSignature(header, body.replace('héllo', 'hello'), secret)).toBe(false);
    expect(verifyFixbidSignature(header, body, next)).toBe(false);
    expect(verifyFixbidSignature(signatureHeader([secret], now - 301, body), body, secret)).toBe(false);
    expect(verifyFixbidSignature(signatureHeader([secret], now + 301, body), body, secret)).toBe(false);
    expect(verifyFixbidSignature(signatureHeader([secret], now - 290, body), body, secret)).toBe(true);
    for (const bad of ['', 't=', `t=${now}`, `v1=${'0'.repeat(64)}`, `t=${now},v1=abc`, `t=${now}.5,${header.split(',')[1]}`, 'garbage']) {
      expect(verifyFixbidSignature(bad, body, secret)).toBe(false);
    }
  });
});
