import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidatorOptions } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { firstForbiddenNull } from './null-fields';

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

/**
 * ValidationPipe plus one rule for every DTO: a known field set to `null` is 400 invalid_field
 * unless the field is @Nullable(). class-validator's @IsOptional() skips null like undefined,
 * so without this `{"title": null}` in a PATCH reached the database as a NOT NULL violation.
 */
class FixbidValidationPipe extends ValidationPipe {
  protected override validate(dto: object, options?: ValidatorOptions): Promise<ValidationError[]> | ValidationError[] {
    const nullAt = firstForbiddenNull(dto);
    if (nullAt) throw new DomainError('invalid_field', `${nullAt} must not be null; leave the field out instead.`, nullAt);
    return super.validate(dto, options);
  }
}

/** The global pipe: strip nothing silently, refuse unknown fields and nulls, transform to DTO classes. */
export function createValidationPipe(): ValidationPipe {
  return new FixbidValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: true },
    exceptionFactory: validationErrorToDomain,
  });
}
