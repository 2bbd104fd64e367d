import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/** The first failing field, depth first, with its dotted path (`maxBudget.currency`). */
function firstFailure(errors: ValidationError[], prefix = ''): { path: string; error: ValidationError } | undefined {
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints && Object.keys(error.constraints).length > 0) return { path, error };
    const nested = firstFailure(error.children ?? [], path);
    if (nested) return nested;
  }
  return undefined;
}

/** Turns class-validator's errors into the contract's 400s: `unknown_field`, `missing_field`, `invalid_field`. */
export function validationErrorToDomain(errors: ValidationError[]): DomainError {
  const failure = firstFailure(errors);
  if (!failure) return new DomainError('invalid_request', 'The request is invalid.');
  const { path, error } = failure;
  const constraints = error.constraints ?? {};
  if (constraints.whitelistValidation) {
    return new DomainError('unknown_field', `Unknown field "${path}".`, path);
  }
  if (error.value === undefined || error.value === null) {
    return new DomainError('missing_field', `"${path}" is required.`, path);
  }
  const message = Object.values(constraints)[0] ?? `"${path}" is invalid.`;
  return new DomainError('invalid_field', message, path);
}

/** The global pipe: strip nothing silently, refuse unknown fields, transform to DTO classes. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: true },
    exceptionFactory: validationErrorToDomain,
  });
}
