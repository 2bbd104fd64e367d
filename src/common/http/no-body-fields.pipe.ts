import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/**
 * For POSTs that take no fields (payout accounts, publishing a solution, a helpful vote). An
 * empty or absent body passes; any field is refused like the global pipe refuses unknown ones
 * (400 unknown_field): nobody sets `status`, a Stripe id or a `helpfulCount`. (A DTO class
 * without properties would refuse the absent body too.)
 */
@Injectable()
export class NoBodyFieldsPipe implements PipeTransform<unknown, Record<string, never>> {
  transform(body: unknown): Record<string, never> {
    if (body === undefined || body === null || body === '') return {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError('invalid_request', 'The body must be a JSON object.');
    const [first] = Object.keys(body);
    if (first !== undefined) throw new DomainError('unknown_field', `Unknown field "${first}".`, first);
    return {};
  }
}
