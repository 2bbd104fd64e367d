import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ErrorType } from '../common/errors/error-codes';

const ERROR_TYPES: ErrorType[] = [
  'invalid_request', 'authentication', 'permission', 'not_found', 'conflict', 'rate_limit', 'api_error',
];

export class ErrorBody {
  @ApiProperty({ enum: ERROR_TYPES, example: 'invalid_request' })
  type!: ErrorType;

  @ApiProperty({ description: 'Stable, machine-readable error code.', example: 'invalid_field' })
  code!: string;

  @ApiProperty({ description: 'Human-readable explanation; never a stack trace or SQL.', example: '"limit" must not be greater than 100.' })
  message!: string;

  @ApiPropertyOptional({ description: 'The first offending field, dotted for nested ones.', example: 'limit' })
  param?: string;

  @ApiProperty({ description: 'Echoes the X-Request-Id response header.', example: '3f0c2b1e-6a55-4c1e-9d3f-5d0e8a9f7b21' })
  requestId!: string;
}

/** The contract's one error envelope (every 4xx/5xx), published as the `ErrorResponse` component. */
export class ErrorResponse {
  @ApiProperty({ type: ErrorBody })
  error!: ErrorBody;
}

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400:
    'Malformed request or failed validation: a bad percent-encoding in the URL (`malformed_url`), a body that is not JSON ' +
    '(`malformed_json`, `unsupported_content_type`) or nests over 32 levels (`body_too_deep`), text with U+0000, a null ' +
    'where it has no meaning, or a field that breaks its rule (`invalid_field`, `missing_field`, `unknown_field`, with `param`)',
  401: 'Missing or invalid credentials',
  403: 'Authenticated but not allowed',
  404: 'Not found (or not visible to the caller; an id that cannot exist, however long, is not found either)',
  409: 'Conflicts with the current state',
  413: 'Body larger than 1 MiB',
  422: 'Well-formed but breaks a business rule',
  429: 'Rate limited; see Retry-After',
  500: 'Unexpected server error',
  502: 'Upstream (payment provider) error',
  503: 'Temporarily unavailable',
};

/** Documents the listed error statuses of a route with the `ErrorResponse` schema: `@ApiErrors(400, 404)`. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'Error', type: ErrorResponse })),
  );
