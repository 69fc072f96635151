import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../src/crypto/base64url';

const lengths = Array.from({ length: 41 }, (_, n) => n);

describe('encodeBase64url', () => {
  it.each(lengths)('encodes %i random bytes exactly as Buffer does', (length) => {
    for (let round = 0; round < 20; round++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(encodeBase64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    }
  });

  it('uses - and _ where standard base64 uses + and /', () => {
    expect(encodeBase64url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
  });
});

describe('decodeBase64url', () => {
  it.each(lengths)('decodes Buffer’s encoding of %i random bytes back to the bytes', (length) => {
    for (let round = 0; round < 20; round++) {
      const bytes = randomBytes(length);
      const decoded = decodeBase64url(bytes.toString('base64url'));
      expect(decoded).not.toBeNull();
      expect(Buffer.from(decoded!).equals(bytes)).toBe(true);
    }
  });

  it('decodes the empty string to zero bytes', () => {
    expect(decodeBase64url('')).toEqual(new Uint8Array(0));
  });

  it.each([
    ['a standard-base64 plus sign', '+_-_'],
    ['a standard-base64 slash', '-/-_'],
    ['padding after two characters', 'AA=='],
    ['padding after three characters', 'AAA='],
    ['a lone padding character', 'AAAA='],
    ['a non-ASCII letter', 'AAé'],
    ['a character above the Basic Multilingual Plane', 'AA😀'],
    ['a NUL character', 'AA\u0000A'],
    ['a space', 'AA AA'],
    ['a dot', 'AA.A'],
  ])('rejects text containing %s', (_label, text) => {
    expect(decodeBase64url(text)).toBeNull();
  });

  it.each(['A', 'AAAAA', 'AAAAAAAAA'])(
    'rejects %s because no byte string has a length of 1 mod 4 characters',
    (text) => {
      expect(decodeBase64url(text)).toBeNull();
    },
  );

  it.each([
    // One byte leaves 4 unused low bits in the 2nd character; two bytes leave 2 in the 3rd.
    ['AB', 'AA'],
    ['AP', 'AA'],
    ['AAB', 'AAA'],
    ['AAD', 'AAA'],
  ])(
    'rejects the non-canonical form %s of the bytes whose canonical form is %s',
    (text, canonical) => {
      expect(decodeBase64url(canonical)).not.toBeNull();
      expect(decodeBase64url(text)).toBeNull();
    },
  );

  it('accepts only the four canonical final characters after a single trailing byte', () => {
    const accepted = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].filter(
      (c) => decodeBase64url(`A${c}`) !== null,
    );
    expect(accepted).toEqual(['A', 'Q', 'g', 'w']);
  });
});
