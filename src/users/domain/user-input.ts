import { isEmail } from 'class-validator';

/**
 * How Fixbid reads the strings people type when they sign up. Plain functions, shared by the
 * DTOs, the admin CLI and the first-boot admin, so every path stores the same thing.
 */

export const EMAIL_MAX_LENGTH = 254;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
export const DISPLAY_NAME_MAX_LENGTH = 80;

/** validator.js options for addresses we accept: ASCII, a real domain with a TLD, no IP literals. */
export const EMAIL_OPTIONS = {
  allow_utf8_local_part: false,
  require_tld: true,
  allow_ip_domain: false,
  allow_display_name: false,
} as const;

/** Printable ASCII only: refuses zero-width, bidi-override and look-alike letters in addresses. */
export const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * NFKC folds full-width and other compatibility forms ('ＡＤＭＩＮ' → 'ADMIN') so an address
 * typed with an IME matches its plain twin; lower case makes uniqueness case-insensitive.
 */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}

/** Why a normalised address is refused, or undefined when it is fine. */
export function emailProblem(email: string): string | undefined {
  if (email.length === 0 || email.length > EMAIL_MAX_LENGTH) return `email must be 1 to ${EMAIL_MAX_LENGTH} characters.`;
  if (!PRINTABLE_ASCII.test(email)) return 'email must contain only ASCII letters, digits and symbols.';
  if (!isEmail(email, EMAIL_OPTIONS)) return 'email must be a valid email address.';
  return undefined;
}

export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    return `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`;
  }
  return undefined;
}

/**
 * Display names: NFC (keeps the user's letters, joins combining marks), trimmed. Control,
 * format and line/paragraph-separator characters are refused — they hide or reorder text
 * (U+202E right-to-left override, zero-width space) — except ZWNJ/ZWJ, which Persian, Indic
 * scripts and emoji sequences need.
 */
export function normalizeDisplayName(raw: string): string {
  return raw.normalize('NFC').trim();
}

export const DISPLAY_NAME_ALLOWED = /^(?:[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[\u200c\u200d])*$/u;
