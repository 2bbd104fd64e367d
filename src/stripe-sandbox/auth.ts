import { authenticationError } from './errors';

export interface Authenticated {
  apiKey: string;
  publishable: boolean;
}

const mask = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

/**
 * Any test-mode secret or restricted key is accepted (`Bearer sk_test_...`, or curl's
 * `-u sk_test_...:` Basic form). A publishable key only reaches routes a browser may call
 * with a client_secret (retrieve and confirm a PaymentIntent).
 */
export function authenticate(authorization: string | undefined, allowPublishable: boolean): Authenticated {
  const key = extractKey(authorization);
  if (!key) {
    throw authenticationError(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  if (/^(sk|rk)_test_\w+/.test(key)) return { apiKey: key, publishable: false };
  if (/^pk_test_\w+/.test(key)) {
    if (allowPublishable) return { apiKey: key, publishable: true };
    throw authenticationError(
      'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
    );
  }
  throw authenticationError(`Invalid API Key provided: ${mask(key)}`);
}

function extractKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value] = authorization.trim().split(/\s+/, 2);
  if (!value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.split(':')[0] || undefined;
  }
  return undefined;
}
