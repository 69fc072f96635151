/**
 * Property-based fuzzing of the three gates every request passes: the signed-instance verifier,
 * the CORS decision and request authentication. Over 100,000 generated and mutated inputs, with
 * fixed seeds so a failure reproduces exactly (fast-check prints the seed and the shrunk input).
 *
 * What "broken" means here:
 * - an exception escapes (every gate promises a typed refusal instead);
 * - the verifier accepts something whose payload differs from a genuinely signed one (a forgery;
 *   one '=' of padding on the signature is tolerated by design, decision 003);
 * - CORS allows an origin that is neither configured nor canonical localhost.
 */
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from 'wix-app-backend/app/context';
import { createTokenInfoGuard } from 'wix-app-backend/auth/token-info-guard';
import type { VerifyCredential } from 'wix-app-backend/auth/verify-credential';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import {
  createInstanceVerifier,
  type InstanceFailureReason,
  type VerifyInstanceResult,
} from 'wix-app-backend/auth/verify-instance';
import { createCors, STANDARD_METHODS } from 'wix-app-backend/cors/create-cors';
import { startWixEmulator, type WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { TEST_APP_ID, TEST_APP_SECRET, testAppConfig } from '@/test/kit';

const NOW = Date.parse('2026-01-15T12:00:00.000Z');
const now = () => NOW;
const SIGN_DATE = new Date(NOW - 60_000).toISOString();
const MAX_AGE_SECONDS = 86_400;
const WRONG_SECRET = 'not-the-app-secret-7c1d';

const INSTANCE_REASONS: readonly InstanceFailureReason[] = [
  'malformed_credentials',
  'invalid_signature',
  'expired_instance',
  'instance_not_yet_valid',
  'wrong_app',
];
const AUTH_REASONS = [
  ...INSTANCE_REASONS,
  'missing_credentials',
  'invalid_token',
  'token_info_unavailable',
];

const verifierOptions = {
  secret: TEST_APP_SECRET,
  appId: TEST_APP_ID,
  maxAgeSeconds: MAX_AGE_SECONDS,
  now,
};
const verifyNode = createInstanceVerifier({ ...verifierOptions, backend: 'node:crypto' });
const verifyWeb = createInstanceVerifier({ ...verifierOptions, backend: 'web-crypto' });

// ---------------------------------------------------------------------------------------------
// Mutations of a valid `<signature>.<data>`

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Characters a mutation inserts or substitutes: mostly near-misses, some anything at all. */
const mutationChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...BASE64URL) },
  { weight: 2, arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '%', '\0', '\n') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

type Mutation = (value: string) => string;

const toStandardBase64 = (text: string) =>
  Buffer.from(text.replace(/=+$/, ''), 'base64url').toString('base64');

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), mutationChar).map(
    ([i, c]): Mutation =>
      (v) =>
        v.slice(0, i % v.length) + c + v.slice((i % v.length) + 1),
  ),
  fc.tuple(fc.nat(), mutationChar).map(
    ([i, c]): Mutation =>
      (v) =>
        v.slice(0, i % (v.length + 1)) + c + v.slice(i % (v.length + 1)),
  ),
  fc.nat().map(
    (i): Mutation =>
      (v) =>
        v.slice(0, i % v.length) + v.slice((i % v.length) + 1),
  ),
  fc.nat().map((i): Mutation => (v) => {
    const at = i % v.length;
    const c = v.charAt(at);
    const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
    return v.slice(0, at) + flipped + v.slice(at + 1);
  }),
  fc.nat().map(
    (i): Mutation =>
      (v) =>
        v.slice(0, i % v.length),
  ),
  fc.constantFrom<Mutation>(
    // swapped parts
    (v) => v.split('.').reverse().join('.'),
    // a part repeated
    (v) => `${v}.${v.split('.')[1] ?? ''}`,
    (v) => `${v.split('.')[0] ?? ''}.${v}`,
    // padding, in every place a library might put it
    (v) => v.replace('.', '=.'),
    (v) => v.replace('.', '==.'),
    (v) => `${v}=`,
    (v) => `${v}==`,
    (v) => v.replace('.', '=.') + '=',
    // re-encodings: standard base64 (+/ and padding), percent-encoding, surrounding noise
    (v) => v.split('.').map(toStandardBase64).join('.'),
    (v) => `${toStandardBase64(v.split('.')[0] ?? '')}.${v.split('.')[1] ?? ''}`,
    (v) => `${v.split('.')[0] ?? ''}.${toStandardBase64(v.split('.')[1] ?? '')}`,
    (v) => encodeURIComponent(v).replace(/-/g, '%2D'),
    (v) => v.replace(/_/g, '/').replace(/-/g, '+'),
    (v) => ` ${v}`,
    (v) => `${v}\n`,
    (v) => `Bearer ${v}`,
    (v) => v.replace('.', '..'),
    (v) => v.replace('.', ''),
    // the data re-encoded from its decoded JSON (whitespace changes the MAC input)
    (v) => {
      const [sig = '', data = ''] = v.split('.');
      const json = Buffer.from(data, 'base64url').toString('utf8');
      return `${sig}.${Buffer.from(`${json} `).toString('base64url')}`;
    },
  ),
);
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

function expectRefusal(result: VerifyInstanceResult) {
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.value)}`);
  expect(INSTANCE_REASONS).toContain(result.reason);
}

// ---------------------------------------------------------------------------------------------

describe('the instance verifier under fuzzing', () => {
  let valid: string;
  let original: Extract<VerifyInstanceResult, { ok: true }>['value'];

  beforeAll(async () => {
    valid = await signInstance(
      {
        instanceId: 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa',
        appDefId: TEST_APP_ID,
        uid: 'user-1',
        permissions: 'OWNER',
        signDate: SIGN_DATE,
      },
      TEST_APP_SECRET,
    );
    const result = await verifyNode(valid);
    if (!result.ok) throw new Error(`the valid instance is refused: ${result.reason}`);
    original = result.value;
  });

  it('refuses 20,000 arbitrary strings with a known reason and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.tuple(fc.base64String(), fc.base64String()).map(([a, b]) => `${a}.${b}`),
          fc
            .tuple(
              fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 43, maxLength: 43 }),
              fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 400 }),
            )
            .map(([a, b]) => `${a}.${b}`),
          fc.string({ minLength: 8000, maxLength: 9000 }),
        ),
        async (input) => {
          fc.pre(input !== valid);
          expectRefusal(await verifyNode(input));
        },
      ),
      { seed: 0x5eed_0001, numRuns: 20_000 },
    );
  });

  it('accepts no mutation of a valid instance with a payload other than the original (40,000 runs)', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(mutations, async (ops) => {
        const mutated = ops.reduce((value, op) => op(value), valid);
        const result = await verifyNode(mutated);
        if (result.ok) {
          accepted++;
          // Accepted must mean "the same instance": padding on the signature is by design.
          expect(result.value).toEqual(original);
        } else {
          expect(INSTANCE_REASONS).toContain(result.reason);
        }
      }),
      { seed: 0x5eed_0002, numRuns: 40_000 },
    );
    // Some mutations are harmless (a signature's '=' padding, a mutation undone by the next):
    // the property really ran through the accepting path too.
    expect(accepted).toBeGreaterThan(0);
  });

  it('agrees between node:crypto and Web Crypto on 5,000 mutated instances', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, async (ops) => {
        const mutated = ops.reduce((value, op) => op(value), valid);
        const [a, b] = await Promise.all([verifyNode(mutated), verifyWeb(mutated)]);
        expect(b.ok).toBe(a.ok);
        if (!a.ok && !b.ok) expect(b.reason).toBe(a.reason);
      }),
      { seed: 0x5eed_0003, numRuns: 5_000 },
    );
  });

  const payload = fc.record(
    {
      instanceId: fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }), fc.constant('')),
      signDate: fc.oneof(
        fc.constant(SIGN_DATE),
        fc.constant(NOW - 1000),
        fc.constant(String(NOW)),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.integer(),
        fc.double(),
        fc.string({ maxLength: 40 }),
      ),
      appDefId: fc.oneof(fc.constant(TEST_APP_ID), fc.constant(null), fc.uuid(), fc.integer()),
      uid: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
      permissions: fc.oneof(fc.constant('OWNER'), fc.constant(null), fc.string(), fc.boolean()),
      extra: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  );

  it('refuses 10,000 payloads signed with the wrong secret as invalid_signature', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (fields) => {
        const forged = await signInstance(
          fields as Parameters<typeof signInstance>[0],
          WRONG_SECRET,
        );
        const result = await verifyNode(forged);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.reason).toBe('invalid_signature');
      }),
      { seed: 0x5eed_0004, numRuns: 10_000 },
    );
  });

  it('accepts a correctly signed payload only when every rule holds (10,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (fields) => {
        const signed = await signInstance(
          fields as Parameters<typeof signInstance>[0],
          TEST_APP_SECRET,
        );
        const result = await verifyNode(signed);
        if (!result.ok) {
          expect(INSTANCE_REASONS).toContain(result.reason);
          return;
        }
        const { value } = result;
        expect(value.instanceId.length).toBeGreaterThan(0);
        expect([null, TEST_APP_ID]).toContain(value.appDefId);
        const signedAt = value.signedAt.getTime();
        expect(signedAt).toBeLessThanOrEqual(NOW + 60_000);
        expect(NOW - signedAt).toBeLessThanOrEqual(MAX_AGE_SECONDS * 1000);
        expect(value.isOwner).toBe(value.permissions === 'OWNER');
      }),
      { seed: 0x5eed_0005, numRuns: 10_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

const CONFIGURED = ['https://shop.example.com', 'https://admin.example.org:8443'];
const WIX_RUN = `https://${TEST_APP_ID}.wix.run`;
const CANONICAL_LOCALHOST = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:([1-9]\d{0,4}))?$/;

function mayBeAllowed(origin: string, allowLocalhost: boolean): boolean {
  if (origin === WIX_RUN || CONFIGURED.includes(origin)) return true;
  if (!allowLocalhost) return false;
  const match = CANONICAL_LOCALHOST.exec(origin);
  return match !== null && (match[3] === undefined || Number(match[3]) <= 65535);
}

const originSeeds = [
  WIX_RUN,
  ...CONFIGURED,
  'http://localhost:3000',
  'http://127.0.0.1:65535',
  'http://[::1]:8080',
  'http://localhost',
];
const originMutation: fc.Arbitrary<Mutation> = fc.oneof(
  mutation,
  fc.constantFrom<Mutation>(
    (v) => `${v}/`,
    (v) => `${v}.attacker.example`,
    (v) => `${v}:443`,
    (v) => `${v}:0`,
    (v) => `${v}:65536`,
    (v) => `${v}:99999`,
    (v) => v.replace('http://', 'https://'),
    (v) => v.replace('https://', 'http://'),
    (v) => v.toUpperCase(),
    (v) => v.replace('://', '://evil.'),
    (v) => v.replace('://', '://user@'),
    (v) => v.replace(/:(\d+)$/, ':0$1'),
    (v) => `null${v}`,
    (v) => v.replace('wix.run', 'wix.run.'),
  ),
);

describe('the CORS decision under fuzzing', () => {
  for (const allowLocalhost of [true, false]) {
    // The methods preflights advertise are the default, STANDARD_METHODS: as the app builds it.
    const cors = createCors({ appId: TEST_APP_ID, allowedOrigins: CONFIGURED, allowLocalhost });

    it(`allows only configured${allowLocalhost ? ' or canonical localhost' : ''} origins among 15,000 mutations`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...originSeeds),
          fc.array(originMutation, { minLength: 1, maxLength: 3 }),
          (seed, ops) => {
            const origin = ops.reduce((value, op) => op(value), seed);
            const allowed = cors.isOriginAllowed(origin);
            if (allowed) expect(mayBeAllowed(origin, allowLocalhost), origin).toBe(true);
            else expect(mayBeAllowed(origin, allowLocalhost), origin).toBe(false);
          },
        ),
        { seed: allowLocalhost ? 0x5eed_0010 : 0x5eed_0011, numRuns: 15_000 },
      );
    });

    it(`decides like isOriginAllowed for 5,000 arbitrary Origin headers${allowLocalhost ? '' : ' (no localhost)'}`, () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 100 }),
            fc.webUrl().map((u) => new URL(u).origin),
            fc
              .tuple(
                fc.constantFrom('localhost', '127.0.0.1', '[::1]', 'LOCALHOST', '0.0.0.0'),
                fc.integer({ min: 0, max: 100_000 }),
              )
              .map(([host, port]) => `http://${host}:${port}`),
          ),
          (origin) => {
            let request: Request;
            try {
              request = new Request('http://localhost:3000/api/me', { headers: { origin } });
            } catch {
              return; // a value fetch itself refuses never reaches the server this way
            }
            const sent = request.headers.get('origin');
            const decision = cors.decide(request);
            if (sent === null) {
              expect(decision.kind).toBe('no-origin');
              return;
            }
            expect(decision.kind).toBe(mayBeAllowed(sent, allowLocalhost) ? 'allowed' : 'refused');
            // The 204's headers for an allowed origin; null (the gate answers 403) otherwise.
            const preflight = cors.preflightHeaders(request);
            if (decision.kind === 'allowed') {
              expect(preflight).not.toBeNull();
              expect(preflight!['access-control-allow-origin']).toBe(sent);
              expect(preflight!['access-control-allow-methods']).toBe(STANDARD_METHODS.join(', '));
            } else {
              expect(preflight).toBeNull();
            }
          },
        ),
        { seed: allowLocalhost ? 0x5eed_0012 : 0x5eed_0013, numRuns: 5_000 },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------

/** Header-safe characters (Latin-1 without CR, LF, NUL): what can reach a handler at all. */
const headerChar = fc
  .integer({ min: 1, max: 255 })
  .filter((c) => c !== 10 && c !== 13)
  .map((c) => String.fromCharCode(c));

describe('request authentication under fuzzing', () => {
  let emulator: WixEmulator;
  let authenticate: VerifyCredential;
  let valid: string;

  beforeAll(async () => {
    emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
    // The credential check the middleware and every handler run (app.verifyCredential).
    // Budgets that fuzzing never reaches: every token-shaped input must really reach Token Info
    // (what the budgets do under a flood is attacks-token-info.test.ts).
    const plenty = { burst: 1e9, perMinute: 1e12 };
    authenticate = createAppContext(testAppConfig({ WIX_API_BASE_URL: emulator.url }), {
      now,
      tokenInfoGuard: createTokenInfoGuard({
        now,
        perClient: plenty,
        overall: plenty,
        unrecognised: plenty,
      }),
    }).verifyCredential;
    valid = await signInstance(
      {
        instanceId: 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa',
        appDefId: TEST_APP_ID,
        signDate: SIGN_DATE,
      },
      TEST_APP_SECRET,
    );
  });

  afterAll(async () => {
    await emulator?.close();
  });

  async function expectAuthRefusal(value: string) {
    let request: Request;
    try {
      request = new Request('http://localhost:3000/api/me', { headers: { authorization: value } });
    } catch {
      return;
    }
    const result = await authenticate(request);
    if (result.ok) {
      // Only the genuine instance (possibly padded or behind "Bearer ") may pass.
      expect(result.identity.instanceId).toBe('aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa');
      expect(result.identity.credential).toBe('signed-instance');
      return;
    }
    expect(AUTH_REASONS).toContain(result.reason);
  }

  it('refuses 10,000 arbitrary and mutated Authorization values with a known code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: headerChar, maxLength: 200 }),
          mutations.map((ops) => ops.reduce((value, op) => op(value), valid)),
          fc
            .tuple(fc.constantFrom('Bearer ', 'bearer', 'Basic ', 'Bearer  ', ''), mutations)
            .map(([scheme, ops]) => scheme + ops.reduce((value, op) => op(value), valid)),
          fc.string({ unit: headerChar, minLength: 8150, maxLength: 8250 }),
        ),
        expectAuthRefusal,
      ),
      { seed: 0x5eed_0020, numRuns: 10_000 },
    );
  });

  it('refuses 300 token-shaped credentials through Token Info with a known code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 1, maxLength: 60 }), {
            minLength: 1,
            maxLength: 4,
          })
          .map((parts) => `OauthNG.JWS.${parts.join('.')}`),
        async (token) => {
          const request = new Request('http://localhost:3000/api/me', {
            headers: { authorization: token },
          });
          const result = await authenticate(request);
          expect(result.ok).toBe(false);
          if (!result.ok)
            expect(['invalid_token', 'malformed_credentials']).toContain(result.reason);
        },
      ),
      { seed: 0x5eed_0021, numRuns: 300 },
    );
  });
});
