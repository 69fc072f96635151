import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { AppStrategy, createClient } from '@wix/sdk';
import { describe, expect, it } from 'vitest';
import { lifecycleData, signWixWebhook } from '../../src/dev/sign-webhook';
import { TEST_APP_ID } from '../../src/testing/test-credentials';
import { webhookKeyPair } from '../../src/testing/webhooks';

const wix = webhookKeyPair();
const impostor = webhookKeyPair();

const INSTANCE = '6e1f3c2a-4b5d-4e6f-8a7b-9c0d1e2f3a4b';
const ORIGIN = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const AT = new Date('2026-02-27T08:30:15.000Z');

/**
 * An independent reading of the documented envelope (docs/wix-protocol.md, "Webhooks") with node:crypto only:
 * RS256 over `header.payload`, then `data` parsed twice. Deliberately shares no code with the app.
 */
function parseWixDelivery(body: string, publicKey: KeyObject) {
  const parts = body.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const [header, payload, signature] = parts as [string, string, string];
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  const protectedHeader = decode(header) as Record<string, unknown>;
  if (protectedHeader.alg !== 'RS256') throw new Error(`alg ${String(protectedHeader.alg)}`);
  const valid = verifySignature(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`, 'ascii'),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw new Error('bad signature');
  const claims = decode(payload) as { data: string; iat: number; exp: number };
  const envelope = JSON.parse(claims.data) as {
    eventType: string;
    instanceId: string;
    data: string;
    identity: string;
    accountInfo: Record<string, unknown>;
  };
  return {
    header: protectedHeader,
    claims,
    envelope,
    data: JSON.parse(envelope.data) as Record<string, unknown>,
    identity: JSON.parse(envelope.identity) as Record<string, unknown>,
  };
}

describe('signWixWebhook', () => {
  it('makes a delivery that an independent parser of the documented envelope accepts', async () => {
    const body = await signWixWebhook(
      {
        eventType: 'AppInstalled',
        instanceId: INSTANCE,
        data: lifecycleData('AppInstalled', { appId: TEST_APP_ID, originInstanceId: ORIGIN }),
        identity: { identityType: 'WIX_USER', wixUserId: 'user-7' },
        accountInfo: { accountId: 'account-1', siteId: 'site-1' },
      },
      wix.privateKey,
      { issuedAt: AT, expiresInSeconds: 600, keyId: 'key-1' },
    );
    const parsed = parseWixDelivery(body, wix.publicKey);
    expect(parsed.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
    expect(parsed.claims).toEqual({
      data: expect.any(String),
      iat: AT.getTime() / 1000,
      exp: AT.getTime() / 1000 + 600,
    });
    // The nested values are JSON strings, as Wix sends them, not objects.
    expect(typeof parsed.envelope.data).toBe('string');
    expect(typeof parsed.envelope.identity).toBe('string');
    expect(parsed.envelope).toMatchObject({
      eventType: 'AppInstalled',
      instanceId: INSTANCE,
      accountInfo: { accountId: 'account-1', siteId: 'site-1' },
    });
    expect(parsed.data).toEqual({ appId: TEST_APP_ID, originInstanceId: ORIGIN });
    expect(parsed.identity).toEqual({ identityType: 'WIX_USER', wixUserId: 'user-7' });
  });

  it('makes a delivery the independent parser refuses under another key', async () => {
    const body = await signWixWebhook(
      { eventType: 'AppRemoved', instanceId: INSTANCE },
      wix.privateKey,
    );
    expect(() => parseWixDelivery(body, impostor.publicKey)).toThrow('bad signature');
  });

  it('fills in an empty payload, an APP identity, no kid, and an hour of validity by default', async () => {
    const before = Math.floor(Date.now() / 1000);
    const body = await signWixWebhook(
      { eventType: 'AppRemoved', instanceId: INSTANCE },
      wix.privateKey,
    );
    const parsed = parseWixDelivery(body, wix.publicKey);
    expect(parsed.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(parsed.data).toEqual({});
    expect(parsed.identity).toEqual({ identityType: 'APP' });
    expect(parsed.envelope.accountInfo).toEqual({});
    expect(parsed.claims.iat).toBeGreaterThanOrEqual(before);
    expect(parsed.claims.exp - parsed.claims.iat).toBe(3600);
  });
});

describe('lifecycleData', () => {
  const options = { appId: TEST_APP_ID, at: AT };
  const expiresOn = new Date(AT.getTime() + 30 * 24 * 3600_000).toISOString();

  it('fills AppInstalled with the app id, and the origin only for a duplicated site', () => {
    expect(lifecycleData('AppInstalled', options)).toEqual({ appId: TEST_APP_ID });
    expect(lifecycleData('AppInstalled', { ...options, originInstanceId: ORIGIN })).toEqual({
      appId: TEST_APP_ID,
      originInstanceId: ORIGIN,
    });
  });

  it('fills AppRemoved with the app id', () => {
    expect(lifecycleData('AppRemoved', options)).toEqual({ appId: TEST_APP_ID });
  });

  it('fills the plan events with the documented fields', () => {
    const plan = { operationTimeStamp: AT.toISOString(), vendorProductId: 'gold', cycle: 'YEARLY' };
    const custom = { ...options, plan: 'gold', cycle: 'YEARLY' };
    expect(lifecycleData('PaidPlanPurchased', custom)).toEqual({ ...plan, expiresOn });
    expect(lifecycleData('PaidPlanChanged', custom)).toEqual({
      ...plan,
      expiresOn,
      previousVendorProductId: null,
      previousCycle: null,
    });
    expect(lifecycleData('PaidPlanAutoRenewalCancelled', custom)).toEqual({
      ...plan,
      cancelReason: expect.any(String),
      userReason: expect.any(String),
      subscriptionCancellationType: expect.any(String),
    });
  });

  it('returns an empty payload for other event types', () => {
    expect(lifecycleData('SomethingNew', options)).toEqual({});
  });
});

// @wix/sdk (a devDependency) parses webhooks locally: AppStrategy({ publicKey }).decodeJWT
// verifies the JWT with jose (RS256) and client.webhooks.parseJWT / process / processRequest
// parse the envelope. No network is involved.
describe('signWixWebhook against Wix’s own parser (@wix/sdk)', () => {
  const sdk = (publicKey: string) =>
    createClient({ auth: AppStrategy({ appId: TEST_APP_ID, publicKey }) });

  it.each([
    ['AppInstalled', { originInstanceId: ORIGIN }],
    ['AppRemoved', {}],
    ['PaidPlanPurchased', { plan: 'gold', cycle: 'YEARLY' }],
    ['PaidPlanAutoRenewalCancelled', {}],
  ])('makes a %s delivery that client.webhooks.process accepts', async (eventType, extra) => {
    const data = lifecycleData(eventType, { appId: TEST_APP_ID, at: AT, ...extra });
    const body = await signWixWebhook(
      {
        eventType,
        instanceId: INSTANCE,
        data,
        accountInfo: { accountId: 'account-1', siteId: 'site-1' },
      },
      wix.privateKey,
    );
    expect(await sdk(wix.publicKeyPem).webhooks.process(body)).toEqual({
      eventType,
      instanceId: INSTANCE,
      payload: data,
      identity: { identityType: 'APP' },
      accountInfo: { accountId: 'account-1', siteId: 'site-1' },
    });
  });

  it('makes a delivery that processRequest accepts as a POST body, with a base64 key', async () => {
    const body = await signWixWebhook(
      { eventType: 'AppRemoved', instanceId: INSTANCE },
      wix.privateKey,
    );
    const base64Key = Buffer.from(wix.publicKeyPem).toString('base64');
    const request = new Request('https://example.com/api/webhooks/wix', { method: 'POST', body });
    expect(await sdk(base64Key).webhooks.processRequest(request)).toMatchObject({
      eventType: 'AppRemoved',
      instanceId: INSTANCE,
      payload: {},
    });
  });

  it('is refused by the SDK under another key (the check above can fail)', async () => {
    const body = await signWixWebhook(
      { eventType: 'AppRemoved', instanceId: INSTANCE },
      wix.privateKey,
    );
    await expect(sdk(impostor.publicKeyPem).webhooks.process(body)).rejects.toThrow(/signature/i);
  });
});
