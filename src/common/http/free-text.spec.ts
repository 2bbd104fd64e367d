import { plainToInstance } from 'class-transformer';
import { IsString, MaxLength, validateSync } from 'class-validator';
import { FREE_TEXT_ALLOWED, FreeText } from './free-text';

class Note {
  @FreeText()
  @MaxLength(5)
  @IsString()
  text!: string;
}

const parse = (text: unknown) => {
  const note = plainToInstance(Note, { text });
  return { note, errors: validateSync(note, { stopAtFirstError: true }) };
};

describe('free text', () => {
  it('is stored NFC: a decomposed é (e + U+0301) becomes U+00E9, and lengths count the composed text', () => {
    const { note, errors } = parse('Cafe\u0301');
    expect(note.text).toBe('Caf\u00e9');
    expect(errors).toEqual([]); // 5 characters once composed, 6 as sent
  });

  it.each([
    ['U+202E right-to-left override', 'a\u202eb'],
    ['U+200B zero-width space', 'a\u200bb'],
    ['U+2066 left-to-right isolate', 'a\u2066b'],
    ['U+FEFF zero-width no-break space', '\ufeffab'],
    ['U+2028 line separator', 'a\u2028b'],
    ['a control character (BEL)', 'a\u0007b'],
  ])('refuses %s, naming the field', (_name, text) => {
    const { errors } = parse(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ property: 'text', constraints: { freeText: expect.stringContaining('text must not contain') } });
  });

  it('keeps line breaks, tabs, ZWJ emoji, other scripts and ZWNJ', () => {
    for (const text of ['a\nb', 'a\r\n\tb', '👩‍💻', 'مرحبا', 'می‌خواهم', 'naïve café']) expect(FREE_TEXT_ALLOWED.test(text)).toBe(true);
  });

  it('leaves non-strings to IsString (one error, from the type check)', () => {
    const { errors } = parse(42);
    expect(Object.keys(errors[0].constraints ?? {})).toEqual(['isString']);
  });
});
