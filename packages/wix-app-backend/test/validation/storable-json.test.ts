/** `verifyStorableJson` (src/validation/storable-json.ts): what `jsonb` can keep, or why not. */
import { describe, expect, it } from 'vitest';
import { verifyStorableJson } from '../../src/validation/storable-json';

const nested = (levels: number): unknown =>
  JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

describe('verifyStorableJson', () => {
  it('accepts ordinary JSON: strings with emoji, numbers, nulls, objects in arrays', () => {
    expect(verifyStorableJson({ a: ['😀 ok', 1, null, true, { b: 'ü' }], c: {} }, 64)).toEqual({
      ok: true,
    });
  });

  it('refuses a NUL or a lone surrogate in a string, however deep', () => {
    expect(verifyStorableJson({ a: [{ b: 'x\u0000' }] }, 64)).toEqual({
      ok: false,
      reason: 'unstorable_text',
    });
    expect(verifyStorableJson(['\ud83d'], 64)).toEqual({ ok: false, reason: 'unstorable_text' });
  });

  it('refuses a NUL in a key', () => {
    expect(verifyStorableJson({ 'x\u0000': 1 }, 64)).toEqual({
      ok: false,
      reason: 'unstorable_text',
    });
  });

  it('accepts nesting up to the bound and refuses one level more', () => {
    expect(verifyStorableJson(nested(64), 64)).toEqual({ ok: true });
    expect(verifyStorableJson(nested(65), 64)).toEqual({ ok: false, reason: 'too_deep' });
  });

  it('refuses 100,000 levels without overflowing its own stack', () => {
    expect(verifyStorableJson(nested(100_000), 64)).toEqual({ ok: false, reason: 'too_deep' });
  });
});
