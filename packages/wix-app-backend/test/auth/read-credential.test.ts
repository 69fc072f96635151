import { describe, expect, it } from 'vitest';
import { MAX_CREDENTIAL_LENGTH, readCredential } from '../../src/auth/read-credential';

const read = (authorization?: string) =>
  readCredential(new Headers(authorization === undefined ? {} : { authorization }));

describe('readCredential', () => {
  it('reads a raw credential, as Wix frontends send it', () => {
    expect(read('abc.def')).toEqual({ ok: true, credential: 'abc.def' });
  });

  it.each(['Bearer abc.def', 'bearer abc.def', 'BEARER abc.def', 'Bearer   abc.def'])(
    'strips the scheme from %j',
    (value) => {
      expect(read(value)).toEqual({ ok: true, credential: 'abc.def' });
    },
  );

  it('ignores whitespace around the value', () => {
    expect(read('  abc.def  ')).toEqual({ ok: true, credential: 'abc.def' });
  });

  it('reads the header whatever its case, as Headers does', () => {
    const headers = new Headers();
    headers.set('AUTHORIZATION', 'abc.def');
    expect(readCredential(headers)).toEqual({ ok: true, credential: 'abc.def' });
  });

  it('answers missing_credentials when there is no Authorization header', () => {
    expect(read()).toMatchObject({ ok: false, reason: 'missing_credentials' });
  });

  it.each(['', ' ', '\t'])('answers missing_credentials for the blank value %j', (value) => {
    expect(read(value)).toMatchObject({ ok: false, reason: 'missing_credentials' });
  });

  it.each([
    ['two tokens separated by a space', 'abc.def ghi.jkl'],
    ['a scheme and two tokens', 'Bearer abc.def ghi.jkl'],
    ['a tab inside the token', 'abc\tdef'],
  ])('answers malformed_credentials for %s', (_label, value) => {
    expect(read(value)).toMatchObject({ ok: false, reason: 'malformed_credentials' });
  });

  it.each(['Bearer ', 'Bearer    ', 'bearer'])(
    'answers malformed_credentials for the scheme with no token (%j)',
    (value) => {
      // Headers strips trailing whitespace, so "Bearer " arrives here as "Bearer".
      expect(new Headers({ authorization: value }).get('authorization')).toMatch(/^bearer$/i);
      expect(read(value)).toMatchObject({ ok: false, reason: 'malformed_credentials' });
    },
  );

  it('accepts a credential of exactly MAX_CREDENTIAL_LENGTH characters', () => {
    const value = 'x'.repeat(MAX_CREDENTIAL_LENGTH);
    expect(read(value)).toEqual({ ok: true, credential: value });
  });

  it('answers malformed_credentials for a credential over MAX_CREDENTIAL_LENGTH', () => {
    expect(read('x'.repeat(MAX_CREDENTIAL_LENGTH + 1))).toMatchObject({
      ok: false,
      reason: 'malformed_credentials',
    });
    expect(read(`Bearer ${'x'.repeat(MAX_CREDENTIAL_LENGTH + 1)}`)).toMatchObject({
      ok: false,
      reason: 'malformed_credentials',
    });
  });

  it('never echoes the credential in the refusal detail', () => {
    const secretish = 'abc.def ghi-secret-looking-part';
    const result = read(secretish);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).not.toContain('ghi-secret-looking-part');
  });
});
