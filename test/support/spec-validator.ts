import { join } from 'node:path';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http';
import { validateInput, validateOutput } from '@stoplight/prism-http/dist/validator';
import type { IHttpOperation } from '@stoplight/types';

/**
 * Prism's own request and response checks, in process, over the checked-in openapi.yaml: the
 * judge `prism proxy` applies to every call, usable on one body at a time. A schema Prism cannot
 * compile is skipped by it without a word, hence `refusesAnything`.
 */
export interface SpecValidator {
  operations: IHttpOperation[];
  /** Messages for a response body that breaks the document ([] when it conforms). */
  responseProblems(method: string, path: string, status: number, body: unknown): string[];
  /** Messages for a JSON request body that breaks the document. */
  requestProblems(method: string, path: string, body: unknown): string[];
}

type Checked = { _tag: 'Left'; left: Array<{ message: string }> } | { _tag: 'Right' };
const messages = (result: unknown) => ((result as Checked)._tag === 'Left' ? (result as { left: Array<{ message: string }> }).left.map((d) => d.message) : []);

export async function loadSpecValidator(file = join(__dirname, '..', '..', 'openapi.yaml')): Promise<SpecValidator> {
  const operations = await getHttpOperationsFromSpec(file);
  const find = (method: string, path: string) => {
    const op = operations.find((o) => o.method === method.toLowerCase() && o.path === path);
    if (!op) throw new Error(`${method} ${path} is not in the document`);
    return op;
  };
  return {
    operations,
    responseProblems: (method, path, status, body) =>
      messages(validateOutput({ resource: find(method, path), element: { statusCode: status, headers: { 'content-type': 'application/json' }, body } })),
    requestProblems: (method, path, body) => {
      const text = JSON.stringify(body);
      const element = {
        method: method.toLowerCase() as 'post',
        url: { path },
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) },
        body,
      };
      return messages(validateInput({ resource: find(method, path), element }));
    },
  };
}
