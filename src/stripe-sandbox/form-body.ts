/**
 * Parses Stripe's request encoding: application/x-www-form-urlencoded with bracket notation, as the
 * official SDK writes it (`metadata[requestId]=x`, `expand[0]=latest_charge`, `a[b][c]=1`) and as
 * curl users write it (`expand[]=latest_charge`). Every leaf is a string, like on the wire.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const MAX_PAIRS = 2000;
const MAX_DEPTH = 8;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export class FormParseError extends Error {}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new FormParseError(`Invalid percent-encoding in request: ${text.slice(0, 40)}`);
  }
}

/** `a[b][]` → ['a', 'b', '']. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.endsWith(']')) return [key];
  const head = key.slice(0, open);
  const rest = key.slice(open + 1, -1).split('][');
  if (rest.some((part) => part.includes('[') || part.includes(']'))) return [key];
  return [head, ...rest];
}

function assign(target: FormObject, path: string[], value: string): void {
  if (path.length > MAX_DEPTH) throw new FormParseError('Request parameters are nested too deeply.');
  let node: FormObject = target;
  for (let i = 0; i < path.length; i++) {
    const last = i === path.length - 1;
    // '' (from `[]`) appends: use the next free index so `a[]=x&a[]=y` keeps both.
    const segment = path[i] === '' ? String(Object.keys(node).length) : path[i];
    if (FORBIDDEN.has(segment)) return;
    if (last) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next === undefined || typeof next === 'string') {
      const child: FormObject = {};
      node[segment] = child;
      node = child;
    } else {
      node = next as FormObject;
    }
  }
}

function isIndexObject(value: FormObject): boolean {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => /^(0|[1-9]\d*)$/.test(k));
}

/** Objects keyed 0..n become arrays, except inside metadata, whose keys are the caller's. */
function arrayify(value: FormValue, underMetadata: boolean): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const out: FormObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = arrayify(v, k === 'metadata');
  if (!underMetadata && isIndexObject(out)) {
    return Object.keys(out)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => out[k]);
  }
  return out;
}

export function parseFormBody(body: string): FormObject {
  const root: FormObject = {};
  if (!body) return root;
  const pairs = body.split('&');
  if (pairs.length > MAX_PAIRS) throw new FormParseError('Too many request parameters.');
  for (const pair of pairs) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decode(rawKey);
    if (!key) continue;
    assign(root, splitKey(key), decode(rawValue));
  }
  return arrayify(root, false) as FormObject;
}

/** Stable JSON (sorted keys) so that two encodings of the same parameters compare equal. */
export function canonicalJson(value: FormValue | undefined): string {
  if (value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}
