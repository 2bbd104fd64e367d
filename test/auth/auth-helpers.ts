import { createHmac } from 'node:crypto';

/** Auth-only helpers; users, admins and `bearer` come from test/support/factories. */

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand, so tests can forge what the server must refuse (A6). */
export function craftJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key?: string): string {
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  const signature = key === undefined ? '' : createHmac('sha256', key).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
