import { SealedBox } from './sealed-box';

describe('SealedBox', () => {
  const box = new SealedBox('a'.repeat(40), 'test');

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('{"refreshToken":"rt_secret"}');
    expect(sealed).not.toContain('rt_secret');
    expect(box.open(sealed)).toBe('{"refreshToken":"rt_secret"}');
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('refuses a tampered value, another purpose or another secret', () => {
    const sealed = box.seal('hello');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('jello').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SealedBox('a'.repeat(40), 'other').open(sealed)).toThrow();
    expect(() => new SealedBox('b'.repeat(40), 'test').open(sealed)).toThrow();
    expect(() => box.open('plain text')).toThrow();
  });
});
