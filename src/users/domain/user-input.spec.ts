import { DISPLAY_NAME_ALLOWED, emailProblem, normalizeDisplayName, normalizeEmail, passwordProblem } from './user-input';

describe('user input rules', () => {
  it.each([
    ['  Alice@Example.COM ', 'alice@example.com'],
    ['ＡＤＭＩＮ@example.com', 'admin@example.com'],
    ['o\'Brien@example.com', "o'brien@example.com"],
  ])('normalizeEmail(%j) → %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it.each([
    'alice@example.com',
    "o'brien@example.com",
    'a+tag@sub.example.co.uk',
  ])('accepts %j', (email) => {
    expect(emailProblem(email)).toBeUndefined();
  });

  it.each([
    '',
    'no-at-sign',
    "' or 1=1 --@example.com",
    'a@localhost',
    'a@[127.0.0.1]',
    'zero\u200bwidth@example.com',
    'rtl\u202eoverride@example.com',
    'аdmin@example.com', // Cyrillic а
    `${'a'.repeat(250)}@example.com`,
  ])('refuses %j', (email) => {
    expect(emailProblem(normalizeEmail(email))).toBeDefined();
  });

  it('passwords are 10..128 code points', () => {
    expect(passwordProblem('a'.repeat(9))).toBeDefined();
    expect(passwordProblem('a'.repeat(10))).toBeUndefined();
    expect(passwordProblem('a'.repeat(128))).toBeUndefined();
    expect(passwordProblem('a'.repeat(129))).toBeDefined();
    expect(passwordProblem('😀'.repeat(128))).toBeUndefined();
  });

  it('display names are NFC and trimmed; hiding and reordering characters are refused', () => {
    expect(normalizeDisplayName('  Zoe\u0308  ')).toBe('Zoë');
    expect(DISPLAY_NAME_ALLOWED.test('José Ñúñez')).toBe(true);
    expect(DISPLAY_NAME_ALLOWED.test('👨\u200d👩\u200d👧 family')).toBe(true);
    expect(DISPLAY_NAME_ALLOWED.test('میخواهم\u200cکه')).toBe(true);
    expect(DISPLAY_NAME_ALLOWED.test('evil\u202eexe.txt')).toBe(false);
    expect(DISPLAY_NAME_ALLOWED.test('zero\u200bwidth')).toBe(false);
    expect(DISPLAY_NAME_ALLOWED.test('bell\u0007')).toBe(false);
    expect(DISPLAY_NAME_ALLOWED.test('line\nbreak')).toBe(false);
    expect(DISPLAY_NAME_ALLOWED.test('bom\ufeff')).toBe(false);
  });
});
