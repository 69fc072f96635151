/**
 * `createServicePluginVerifier`: a call Wix signed for this app is accepted and its envelope
 * read; everything else is a typed refusal, never a throw.
 */
import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signServicePluginRequest } from '../../src/dev/sign-service-plugin';
import {
  createServicePluginVerifier,
  SERVICE_PLUGIN_CLOCK_LEEWAY_SECONDS,
  type VerifyServicePluginResult,
} from '../../src/service-plugins/verify-service-plugin-request';
import { webhookKeyPair } from '../../src/testing/webhooks';

const APP_ID = 'aaaaaaaa-1111-4000-8000-000000000001';
const INSTANCE = 'bbbbbbbb-2222-4000-8000-000000000002';
const NOW = Date.parse('2026-12-04T12:00:00Z');
const ISSUED = new Date(NOW - 1000);

const wix = webhookKeyPair();
const rotated = webhookKeyPair();
const impostor = webhookKeyPair();
const verify = createServicePluginVerifier([wix.publicKey], { appId: APP_ID, now: () => NOW });

const input = {
  appId: APP_ID,
  appExtensionType: 'ECOM_ADDITIONAL_FEES',
  instanceId: INSTANCE,
  request: { lineItems: [{ id: 'li-1', quantity: 2 }] },
  currency: 'EUR',
  requestId: 'wix-request-1',
};
const sign = (key: KeyObject = wix.privateKey, options = {}) =>
  signServicePluginRequest(input, key, { issuedAt: ISSUED, ...options });

const envelope = () => ({
  request: {},
  metadata: { instanceId: INSTANCE, appExtensionType: 'ECOM_ADDITIONAL_FEES' },
});
const iat = Math.floor(ISSUED.getTime() / 1000);
const validClaims = (): JWTPayload => ({
  data: envelope(),
  iss: 'wix.com',
  aud: APP_ID,
  iat,
  exp: iat + 60,
});
function signClaims(claims: JWTPayload, key: KeyObject | Uint8Array, alg = 'RS256') {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
}

function expectRefused(result: VerifyServicePluginResult, reason: string) {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toBe(reason);
}

describe('createServicePluginVerifier: accepted calls', () => {
  it('reads the request and the metadata of a call signed for this app', async () => {
    const result = await verify(await sign());
    expect(result).toMatchObject({
      ok: true,
      value: {
        request: input.request,
        metadata: {
          instanceId: INSTANCE,
          appExtensionType: 'ECOM_ADDITIONAL_FEES',
          currency: 'EUR',
          languages: ['en'],
          requestId: 'wix-request-1',
          identity: { identityType: 'ANONYMOUS_VISITOR' },
        },
      },
    });
  });

  it('accepts a call signed with the second of two keys during a rotation', async () => {
    const both = createServicePluginVerifier([wix.publicKey, rotated.publicKey], {
      appId: APP_ID,
      now: () => NOW,
    });
    expect((await both(await sign(rotated.privateKey))).ok).toBe(true);
  });

  it('accepts a data claim sent as a JSON string, as webhooks nest theirs', async () => {
    const body = await signClaims(
      { ...validClaims(), data: JSON.stringify(envelope()) },
      wix.privateKey,
    );
    expect((await verify(body)).ok).toBe(true);
  });

  it('tolerates an exp that passed within the clock leeway', async () => {
    const body = await sign(wix.privateKey, {
      issuedAt: new Date(NOW - 60_000),
      expiresInSeconds: 60 - (SERVICE_PLUGIN_CLOCK_LEEWAY_SECONDS - 5),
    });
    expect((await verify(body)).ok).toBe(true);
  });
});

describe('createServicePluginVerifier: refusals', () => {
  it('refuses a call signed by another key (a forgery)', async () => {
    expectRefused(
      await verify(await sign(impostor.privateKey)),
      'invalid_service_plugin_signature',
    );
  });

  it('refuses an expired call', async () => {
    const body = await sign(wix.privateKey, {
      issuedAt: new Date(NOW - 3_600_000),
      expiresInSeconds: 60,
    });
    expectRefused(await verify(body), 'expired_service_plugin_call');
  });

  it('refuses a call signed for another app (aud) as wrong_app', async () => {
    expectRefused(
      await verify(await sign(wix.privateKey, { audience: 'another-app' })),
      'wrong_app',
    );
  });

  it('refuses a call from another issuer', async () => {
    expectRefused(
      await verify(await sign(wix.privateKey, { issuer: 'evil.example' })),
      'malformed_service_plugin_call',
    );
  });

  it('refuses an unsecured token (alg: none)', async () => {
    const body = new UnsecuredJWT({ data: envelope() })
      .setIssuer('wix.com')
      .setAudience(APP_ID)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .encode();
    expectRefused(await verify(body), 'invalid_service_plugin_signature');
  });

  it('refuses an HS256 token whose HMAC key is the public key PEM (algorithm confusion)', async () => {
    const body = await signClaims(
      validClaims(),
      new TextEncoder().encode(wix.publicKeyPem),
      'HS256',
    );
    expectRefused(await verify(body), 'invalid_service_plugin_signature');
  });

  it.each(['exp', 'iat'])('refuses a call without %s', async (claim) => {
    const claims = validClaims();
    delete claims[claim];
    expectRefused(
      await verify(await signClaims(claims, wix.privateKey)),
      'malformed_service_plugin_call',
    );
  });

  it('refuses a call dated far in the future', async () => {
    const future = Math.floor(NOW / 1000) + 3600;
    const body = await signClaims(
      { ...validClaims(), iat: future, exp: future + 60 },
      wix.privateKey,
    );
    expectRefused(await verify(body), 'malformed_service_plugin_call');
  });

  it.each([
    ['an exp past any date a database holds', { exp: 1e15 }],
    ['a negative iat', { iat: -1 }],
    ['an nbf that is not a number', { nbf: 'soon' }],
  ])('refuses a signed call with %s, as a webhook with it', async (_, times) => {
    const body = await signClaims({ ...validClaims(), ...times } as JWTPayload, wix.privateKey);
    expectRefused(await verify(body), 'malformed_service_plugin_call');
  });

  it.each([
    ['no data claim', undefined],
    [
      'an instanceId PostgreSQL cannot store',
      { request: {}, metadata: { instanceId: 'site\u0000', appExtensionType: 'ECOM_VALIDATIONS' } },
    ],
    ['data without metadata', { request: {} }],
    ['metadata without appExtensionType', { request: {}, metadata: { instanceId: INSTANCE } }],
    ['metadata without instanceId', { metadata: { appExtensionType: 'ECOM_VALIDATIONS' } }],
    ['data that is not JSON', '{oops'],
  ])('refuses a signed call with %s', async (_, data) => {
    const body = await signClaims({ ...validClaims(), data }, wix.privateKey);
    expectRefused(await verify(body), 'malformed_service_plugin_call');
  });

  it.each(['', 'not a jwt', '{"request":{}}', 'a.b'])('refuses the body %j', async (body) => {
    expectRefused(await verify(body), 'malformed_service_plugin_call');
  });
});
