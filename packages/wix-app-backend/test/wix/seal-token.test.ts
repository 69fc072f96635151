import { describe, expect, it } from 'vitest';
import { createTokenSealer } from '../../src/wix/seal-token';
import { TEST_APP_SECRET } from '../../src/testing/test-credentials';

const TOKEN = 'OauthNG.JWS.header.payload.signature-of-an-app-token';
const PREVIOUS = 'the-secret-before-the-change';
const OLDER = 'a-secret-from-long-ago';

describe('createTokenSealer', () => {
  it('opens what it sealed, and the sealed text does not contain the token', () => {
    const sealer = createTokenSealer(TEST_APP_SECRET);
    const sealed = sealer.seal(TOKEN);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('signature-of-an-app-token');
    expect(sealer.open(sealed)).toBe(TOKEN);
  });

  it('opens nothing sealed under another secret', () => {
    const sealed = createTokenSealer(PREVIOUS).seal(TOKEN);
    expect(createTokenSealer(TEST_APP_SECRET).open(sealed)).toBeNull();
  });

  it.each([
    ['an empty string', ''],
    ['another version', 'v2.aaaa.bbbb'],
    ['a missing part', 'v1.aaaa'],
    ['garbage parts', 'v1.!!!.???'],
  ])('opens %s to null', (_label, sealed) => {
    expect(createTokenSealer(TEST_APP_SECRET, [PREVIOUS]).open(sealed)).toBeNull();
  });
});

describe('createTokenSealer while the app secret is being changed (previousSecrets)', () => {
  it('opens a token sealed under a previous secret', () => {
    const sealedBefore = createTokenSealer(PREVIOUS).seal(TOKEN);
    expect(createTokenSealer(TEST_APP_SECRET, [PREVIOUS]).open(sealedBefore)).toBe(TOKEN);
  });

  it('opens tokens sealed under any of several previous secrets, and under the current one', () => {
    const sealer = createTokenSealer(TEST_APP_SECRET, [OLDER, PREVIOUS]);
    expect(sealer.open(createTokenSealer(OLDER).seal(TOKEN))).toBe(TOKEN);
    expect(sealer.open(createTokenSealer(PREVIOUS).seal(TOKEN))).toBe(TOKEN);
    expect(sealer.open(createTokenSealer(TEST_APP_SECRET).seal(TOKEN))).toBe(TOKEN);
  });

  it('seals new tokens under the current secret only', () => {
    const sealed = createTokenSealer(TEST_APP_SECRET, [PREVIOUS]).seal(TOKEN);
    expect(createTokenSealer(TEST_APP_SECRET).open(sealed)).toBe(TOKEN);
    expect(createTokenSealer(PREVIOUS).open(sealed)).toBeNull();
  });

  it('opens nothing sealed under a secret in neither list', () => {
    const sealed = createTokenSealer(OLDER).seal(TOKEN);
    expect(createTokenSealer(TEST_APP_SECRET, [PREVIOUS]).open(sealed)).toBeNull();
  });

  it('opens a token sealed under a previous secret to null once tampered with', () => {
    const sealed = createTokenSealer(PREVIOUS).seal(TOKEN);
    const [version, iv, data] = sealed.split('.') as [string, string, string];
    const flipped = `${data.slice(0, 4)}${data[4] === 'A' ? 'B' : 'A'}${data.slice(5)}`;
    expect(
      createTokenSealer(TEST_APP_SECRET, [PREVIOUS]).open(`${version}.${iv}.${flipped}`),
    ).toBeNull();
  });
});
