/**
 * `createRs256JwtVerifier` makes jose's `jwtVerify` checks with node:crypto's synchronous verify
 * (src/crypto/verify-rs256-jwt.ts says why). Every token here goes through both, with the same
 * options: the verdicts must agree — accepted by both, or refused by both for the same kind of
 * reason (expired, a named claim, or not a valid signed JWT at all).
 */
import { generateKeyPairSync, sign as rsaSign, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { createRs256JwtVerifier, type Rs256JwtResult } from '../../src/crypto/verify-rs256-jwt';
import { webhookKeyPair } from '../../src/testing/webhooks';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const NOW_S = Math.floor(NOW / 1000);
const LEEWAY = 30;
const ISSUER = 'wix.com';
const REQUIRED = ['exp', 'iat'];

const wix = webhookKeyPair();
const rotated = webhookKeyPair();
const impostor = webhookKeyPair();
const short = generateKeyPairSync('rsa', { modulusLength: 1024 });

const ours = (keys: KeyObject[]) =>
  createRs256JwtVerifier(keys, {
    issuer: ISSUER,
    requiredClaims: REQUIRED,
    clockToleranceSeconds: LEEWAY,
    now: () => NOW,
  });

type Verdict = 'ok' | 'expired' | 'invalid' | `claim ${string} ${string}`;

/** jose's verdict, trying each key as the service-plugin verifier used to. */
async function joseVerdict(token: string, keys: KeyObject[]): Promise<Verdict> {
  for (let i = 0; ; i++) {
    try {
      await jwtVerify(token, keys[i]!, {
        algorithms: ['RS256'],
        issuer: ISSUER,
        requiredClaims: REQUIRED,
        clockTolerance: LEEWAY,
        currentDate: new Date(NOW),
      });
      return 'ok';
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed && i < keys.length - 1) continue;
      if (error instanceof errors.JWTExpired) return 'expired';
      if (error instanceof errors.JWTClaimValidationFailed)
        return `claim ${error.claim} ${error.reason}`;
      return 'invalid'; // any other JOSEError, or jose refusing the key (TypeError)
    }
  }
}

const verdictOf = (result: Rs256JwtResult): Verdict =>
  result.ok
    ? 'ok'
    : result.failure === 'claim'
      ? `claim ${result.claim} ${result.reason}`
      : result.failure;

const validClaims = (): JWTPayload => ({
  iss: ISSUER,
  aud: 'app',
  iat: NOW_S - 5,
  exp: NOW_S + 55,
  data: { request: {}, metadata: { instanceId: 'site' } },
});

const signed = (claims: JWTPayload, key: KeyObject = wix.privateKey, alg = 'RS256') =>
  new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);

/** A token made by hand: any header and payload bytes, signed RS256 with node:crypto. */
function crafted(
  header: string | object,
  payload: string | Uint8Array | object,
  key: KeyObject = wix.privateKey,
): string {
  const part = (value: string | Uint8Array | object) =>
    Buffer.from(
      typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value),
    ).toString('base64url');
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${rsaSign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const without = (claim: string) => {
  const claims = validClaims();
  delete claims[claim];
  return claims;
};

const cases: [string, () => Promise<string> | string, Verdict, KeyObject[]?][] = [
  ['a valid call', () => signed(validClaims()), 'ok'],
  [
    'the second key of two',
    () => signed(validClaims(), rotated.privateKey),
    'ok',
    [wix.publicKey, rotated.publicKey],
  ],
  ['another key (a forgery)', () => signed(validClaims(), impostor.privateKey), 'invalid'],
  ['alg none', () => new UnsecuredJWT(validClaims()).encode(), 'invalid'],
  [
    'HS256 keyed with the public key PEM',
    () => signed(validClaims(), new TextEncoder().encode(wix.publicKeyPem) as never, 'HS256'),
    'invalid',
  ],
  ['RS384 with the right key', () => signed(validClaims(), wix.privateKey, 'RS384'), 'invalid'],
  ['PS256 with the right key', () => signed(validClaims(), wix.privateKey, 'PS256'), 'invalid'],
  [
    // Signed over the raw payload, as b64: false means: jose checks the signature, then refuses.
    'an unencoded payload (b64: false)',
    () => {
      const header = Buffer.from(
        JSON.stringify({ alg: 'RS256', b64: false, crit: ['b64'] }),
      ).toString('base64url');
      const input = `${header}.unencoded-claims`;
      return `${input}.${rsaSign('sha256', Buffer.from(input), wix.privateKey).toString('base64url')}`;
    },
    'invalid',
  ],
  [
    'an unknown crit extension',
    () => crafted({ alg: 'RS256', crit: ['exp'], exp: 1 }, validClaims()),
    'invalid',
  ],
  // Signed RS256 by hand, so only the header's alg stands between them and acceptance.
  ['an RS256 signature under alg RS512', () => crafted({ alg: 'RS512' }, validClaims()), 'invalid'],
  ['an RS256 signature under no alg', () => crafted({ typ: 'JWT' }, validClaims()), 'invalid'],
  ['a header that is not JSON', () => crafted('{oops', validClaims()), 'invalid'],
  ['a header that is an array', () => crafted('["RS256"]', validClaims()), 'invalid'],
  ['claims that are an array', () => crafted({ alg: 'RS256' }, '[1,2]'), 'invalid'],
  ['claims that are not JSON', () => crafted({ alg: 'RS256' }, '{oops'), 'invalid'],
  [
    'claims that are not UTF-8',
    () => crafted({ alg: 'RS256' }, new Uint8Array([0x7b, 0xff, 0x7d])),
    'invalid',
  ],
  [
    'a 1024-bit key',
    () => crafted({ alg: 'RS256' }, validClaims(), short.privateKey),
    'invalid',
    [short.publicKey],
  ],
  ['no signature', async () => (await signed(validClaims())).replace(/[^.]+$/, ''), 'invalid'],
  [
    'a tampered signature',
    async () => {
      const token = await signed(validClaims());
      return token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA');
    },
    'invalid',
  ],
  [
    'claims swapped under a valid signature',
    async () => {
      const [header, , signature] = (await signed(validClaims())).split('.');
      const forged = Buffer.from(JSON.stringify({ ...validClaims(), aud: 'other' })).toString(
        'base64url',
      );
      return `${header}.${forged}.${signature}`;
    },
    'invalid',
  ],
  ['no exp', () => signed(without('exp')), 'claim exp missing'],
  ['no iat', () => signed(without('iat')), 'claim iat missing'],
  ['no iss', () => signed(without('iss')), 'claim iss missing'],
  ['no exp, iat nor iss', () => signed({ data: {} }), 'claim iss missing'],
  [
    'another issuer',
    () => signed({ ...validClaims(), iss: 'evil.example' }),
    'claim iss check_failed',
  ],
  [
    'an iat that is a string',
    () => signed({ ...validClaims(), iat: String(NOW_S) as never }),
    'claim iat invalid',
  ],
  [
    'an exp that is a string',
    () => signed({ ...validClaims(), exp: String(NOW_S + 60) as never }),
    'claim exp invalid',
  ],
  [
    'an nbf beyond the leeway',
    () => signed({ ...validClaims(), nbf: NOW_S + LEEWAY + 1 }),
    'claim nbf check_failed',
  ],
  ['an nbf within the leeway', () => signed({ ...validClaims(), nbf: NOW_S + LEEWAY }), 'ok'],
  [
    'an nbf that is a string',
    () => signed({ ...validClaims(), nbf: 'soon' as never }),
    'claim nbf invalid',
  ],
  ['an exp past the leeway', () => signed({ ...validClaims(), exp: NOW_S - LEEWAY }), 'expired'],
  [
    'an exp passed within the leeway',
    () => signed({ ...validClaims(), exp: NOW_S - LEEWAY + 1 }),
    'ok',
  ],
  [
    'an exp far in the future',
    () => signed({ ...validClaims(), exp: NOW_S + 10 * 365 * 86_400 }),
    'ok',
  ],
  ['not a JWT at all', () => 'a.b', 'invalid'],
  ['four parts', async () => `${await signed(validClaims())}.x`, 'invalid'],
];

describe('createRs256JwtVerifier agrees with jose', () => {
  it.each(cases)('%s', async (_, make, expected, keys = [wix.publicKey]) => {
    const token = await make();
    expect(await joseVerdict(token, keys)).toBe(expected);
    expect(verdictOf(ours(keys)(token))).toBe(expected);
  });

  it('returns the verified claims as signed', async () => {
    const claims = validClaims();
    const result = ours([wix.publicKey])(await signed(claims));
    expect(result).toEqual({ ok: true, claims });
  });

  it('verifies nothing with a key that is not an RSA public key', async () => {
    const token = await signed(validClaims());
    expect(verdictOf(ours([wix.privateKey])(token))).toBe('invalid');
  });

  it('reads one text form per signature: a re-encoded copy jose accepts is refused', async () => {
    // The signature's last character carries padding bits; flipping one decodes to the same
    // bytes. jose accepts that second form; this verifier refuses any non-canonical encoding, so
    // a signed body has exactly one accepted text (test/app/api/webhooks/wix/route.test.ts).
    const token = await signed(validClaims());
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const reencoded = token.slice(0, -1) + alphabet[alphabet.indexOf(token.at(-1)!) ^ 1];
    expect(await joseVerdict(reencoded, [wix.publicKey])).toBe('ok');
    expect(verdictOf(ours([wix.publicKey])(reencoded))).toBe('invalid');
  });
});
