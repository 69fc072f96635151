import { describe, expect, it } from 'vitest';
import {
  createCredentialVerifier,
  type VerifyCredentialResult,
} from '../../src/auth/verify-credential';
import { createKnownInstances } from '../../src/auth/token-standing';
import { createInstanceVerifier } from '../../src/auth/verify-instance';
import type { AccessTokenInfo, VerifyAccessTokenResult } from '../../src/auth/verify-access-token';
import { INSTANCE_A, testInstance } from '../../src/testing/instances';
import { apiRequest } from '../../src/testing/requests';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';

const TOKEN = 'OauthNG.JWS.eyJraWQiOiJ4In0.eyJkYXRhIjp7fX0.c2lnbmF0dXJl-_';
const EXPIRES = new Date('2026-03-01T16:00:00.000Z');

/** A stand-in for Token Info (a collaborator here): answers `result` and records each token. */
function accessTokenVerifier(result: VerifyAccessTokenResult) {
  const seen: string[] = [];
  return {
    seen,
    verify: async (token: string) => {
      seen.push(token);
      return result;
    },
  };
}

const accepted = (value: Partial<AccessTokenInfo> = {}): VerifyAccessTokenResult => ({
  ok: true,
  value: {
    instanceId: INSTANCE_A,
    subjectType: 'USER',
    subjectId: 'user-42',
    siteId: 'site-1',
    expiresAt: EXPIRES,
    ...value,
  },
});

const verifyInstance = createInstanceVerifier({
  secret: TEST_APP_SECRET,
  appId: TEST_APP_ID,
  maxAgeSeconds: 86_400,
});

function authenticatorWith(result: VerifyAccessTokenResult = accepted()) {
  const tokens = accessTokenVerifier(result);
  return {
    seen: tokens.seen,
    authenticate: (authorization?: string) =>
      createCredentialVerifier({ verifyInstance, verifyAccessToken: tokens.verify })(
        apiRequest('/api/me', { headers: authorization ? { authorization } : {} }),
      ),
  };
}

function expectRefused(result: VerifyCredentialResult, reason: string) {
  expect(result).toMatchObject({ ok: false, reason });
}

describe('createCredentialVerifier: routing by shape', () => {
  it('verifies a signed instance (exactly one dot) locally, never asking Token Info', async () => {
    const { authenticate, seen } = authenticatorWith();
    const instance = await testInstance();
    const result = await authenticate(instance);
    expect(result).toMatchObject({
      ok: true,
      credential: instance,
      identity: { credential: 'signed-instance', instanceId: INSTANCE_A, isOwner: true },
    });
    expect(seen).toEqual([]);
  });

  it('refuses a forged signed instance locally, never asking Token Info', async () => {
    const { authenticate, seen } = authenticatorWith();
    expectRefused(await authenticate(await testInstance({}, 'other-secret')), 'invalid_signature');
    expect(seen).toEqual([]);
  });

  it('sends a token-shaped credential (two or more dots) to the access-token verifier', async () => {
    const { authenticate, seen } = authenticatorWith();
    expect(await authenticate(TOKEN)).toMatchObject({ ok: true, credential: TOKEN });
    expect(await authenticate('a.b.c')).toMatchObject({ ok: true });
    expect(seen).toEqual([TOKEN, 'a.b.c']);
  });

  it('strips a Bearer prefix before verifying the token', async () => {
    const { authenticate, seen } = authenticatorWith();
    await authenticate(`Bearer ${TOKEN}`);
    expect(seen).toEqual([TOKEN]);
  });

  it.each([
    ['an empty part', 'OauthNG..JWS.x'],
    ['a trailing dot', 'OauthNG.JWS.x.'],
    ['a leading dot', '.OauthNG.JWS'],
    ['quotes', 'OauthNG.JWS."x"'],
    ['a percent sign', 'OauthNG.JWS.%41'],
    ['angle brackets', 'OauthNG.JWS.<script>'],
    ['non-ASCII letters', 'OauthNG.JWS.tökén'],
  ])(
    'refuses a credential with dots and %s as malformed, without calling Token Info',
    async (_name, credential) => {
      const { authenticate, seen } = authenticatorWith();
      expectRefused(await authenticate(credential), 'malformed_credentials');
      expect(seen).toEqual([]);
    },
  );

  it.each([['garbage'], ['OauthNGJWS'], ['x'.repeat(100)]])(
    'refuses %j (no dot) as malformed, without calling Token Info',
    async (credential) => {
      const { authenticate, seen } = authenticatorWith();
      expectRefused(await authenticate(credential), 'malformed_credentials');
      expect(seen).toEqual([]);
    },
  );

  it('refuses a missing credential without calling anything', async () => {
    const { authenticate, seen } = authenticatorWith();
    expectRefused(await authenticate(), 'missing_credentials');
    expect(seen).toEqual([]);
  });

  it('refuses a token-shaped credential as malformed when no access-token verifier is configured', async () => {
    const authenticate = createCredentialVerifier({ verifyInstance });
    expectRefused(
      await authenticate(apiRequest('/api/me', { headers: { authorization: TOKEN } })),
      'malformed_credentials',
    );
  });
});

describe('createCredentialVerifier: the instances it knows', () => {
  const verifierRemembering = () => {
    const knownInstances = createKnownInstances();
    const verify = createCredentialVerifier({
      verifyInstance,
      verifyAccessToken: accessTokenVerifier(accepted()).verify,
      knownInstances,
    });
    return {
      knownInstances,
      authenticate: (authorization: string) =>
        verify(apiRequest('/api/me', { headers: { authorization } })),
    };
  };

  it('remembers the instance of a verified signed instance, so its site’s tokens rank first', async () => {
    const { knownInstances, authenticate } = verifierRemembering();
    expect(knownInstances.has(INSTANCE_A)).toBe(false);
    expect((await authenticate(await testInstance())).ok).toBe(true);
    expect(knownInstances.has(INSTANCE_A)).toBe(true);
  });

  it('remembers nothing from a forged one', async () => {
    const { knownInstances, authenticate } = verifierRemembering();
    expect((await authenticate(await testInstance({}, 'other-secret'))).ok).toBe(false);
    expect(knownInstances.has(INSTANCE_A)).toBe(false);
  });
});

describe('createCredentialVerifier: identities from access tokens', () => {
  it('makes a USER subject the owner, with its subject id as uid', async () => {
    const { authenticate } = authenticatorWith(accepted({ subjectType: 'USER' }));
    expect(await authenticate(TOKEN)).toEqual({
      ok: true,
      credential: TOKEN,
      identity: {
        credential: 'access-token',
        instanceId: INSTANCE_A,
        uid: 'user-42',
        permissions: null,
        isOwner: true,
        caller: 'dashboard',
        subjectType: 'USER',
        subjectId: 'user-42',
        expiresAt: EXPIRES.toISOString(),
      },
    });
  });

  it.each([
    ['VISITOR', 'visitor'],
    ['MEMBER', 'member'],
    ['APP', 'app'],
    ['UNKNOWN', 'visitor'],
    ['SOMETHING_NEW', 'visitor'],
    ['constructor', 'visitor'],
  ])(
    'never makes a %s subject the owner nor gives it a uid; its caller is %s',
    async (subjectType, caller) => {
      const { authenticate } = authenticatorWith(accepted({ subjectType }));
      expect(await authenticate(TOKEN)).toMatchObject({
        ok: true,
        identity: { isOwner: false, uid: null, caller, subjectType, subjectId: 'user-42' },
      });
    },
  );

  it('reports no expiry when Token Info gave none', async () => {
    const { authenticate } = authenticatorWith(accepted({ expiresAt: null }));
    expect(await authenticate(TOKEN)).toMatchObject({ ok: true, identity: { expiresAt: null } });
  });

  it.each([
    ['token_info_unavailable', 'Wix did not answer'],
    ['wrong_app', 'token was issued to another app'],
    ['invalid_token', 'token is not active'],
  ] as const)('passes a %s refusal through unchanged', async (reason, detail) => {
    const { authenticate } = authenticatorWith({ ok: false, reason, detail });
    expect(await authenticate(TOKEN)).toEqual({ ok: false, reason, detail });
  });
});
