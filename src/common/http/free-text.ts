import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationArguments } from 'class-validator';

/** The constraint's name in class-validator's metadata (the input specs find free-text fields by it). */
export const FREE_TEXT = 'freeText';

/**
 * What people type into titles, descriptions, messages, notes, reviews and profiles. The names'
 * rule (DISPLAY_NAME_ALLOWED in src/users/domain/user-input.ts): no control, format or
 * line/paragraph-separator characters — they hide or reorder text (U+202E right-to-left override,
 * U+200B zero-width space) — except ZWNJ/ZWJ, which scripts and emoji need; free text also keeps
 * tabs and line breaks.
 */
export const FREE_TEXT_ALLOWED = /^(?:[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[\t\n\r\u200c\u200d])*$/u;

/** Stored NFC, so "é" typed as e + U+0301 and as U+00E9 are one string (search, uniqueness, length). */
export const normalizeFreeText = (raw: string): string => raw.normalize('NFC');

/**
 * The one decorator of every free-text DTO field: NFC before validation (so lengths count what is
 * stored), then the character rule as 400 invalid_field naming the field. List it first on the
 * field: decorators register bottom-up, so the type and length checks below it run before it.
 */
export function FreeText(): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: FREE_TEXT,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || FREE_TEXT_ALLOWED.test(value),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'text'} must not contain control or invisible formatting characters (such as U+202E or U+200B).`,
      },
    }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeFreeText(value) : value)),
  );
}
