import { describe, expect, it } from 'vitest';
import { isStorableText, storableText } from '../../src/validation/storable-text';
import { isUuid } from '../../src/validation/uuid';

describe('isStorableText', () => {
  it('accepts any well-formed text, emoji and other astral characters included', () => {
    for (const text of ['', 'plain', 'émoji 🎉', '中文', 'tab\tand\nnewline']) {
      expect(isStorableText(text)).toBe(true);
    }
  });

  it('refuses a NUL character and lone surrogates, which PostgreSQL cannot store', () => {
    for (const text of ['a\u0000', '\ud800', 'x\udc00y', '\ud83d']) {
      expect(isStorableText(text)).toBe(false);
    }
  });
});

describe('storableText', () => {
  it('trims by default and enforces the bounds after trimming', () => {
    const title = storableText({ min: 1, max: 3 });
    expect(title.parse('  ab  ')).toBe('ab');
    expect(title.safeParse('   ').success).toBe(false);
    expect(title.safeParse('abcd').success).toBe(false);
  });

  it('keeps text as written with trim: false', () => {
    expect(storableText({ max: 10, trim: false }).parse('  a\n')).toBe('  a\n');
  });
});

describe('isUuid', () => {
  it('accepts the ids randomUUID makes and nothing else', () => {
    expect(isUuid(crypto.randomUUID())).toBe(true);
    for (const text of [
      '',
      'x',
      crypto.randomUUID().toUpperCase(),
      `${crypto.randomUUID()}\u0000`,
      '../etc',
    ]) {
      expect(isUuid(text)).toBe(false);
    }
  });
});
