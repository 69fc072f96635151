import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/me/route';
import type { Identity } from 'wix-app-backend/auth/identity';
import { INSTANCE_A, INSTANCE_B } from 'wix-app-backend/testing/instances';
import { createTestApp, TEST_APP_SECRET, type TestApp } from '@/test/kit';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

/**
 * The header through which the middleware once forwarded a sealed identity. Nothing reads it
 * any more: the handler authenticates the request itself, so whatever a client sends in it
 * changes nothing.
 */
const IDENTITY_HEADER = 'x-wix-verified-identity';

const twoDaysAgo = () => new Date(Date.now() - 2 * 86_400_000).toISOString();

const ownerOfA: Identity = {
  credential: 'signed-instance',
  instanceId: INSTANCE_A,
  uid: 'user-1',
  permissions: 'OWNER',
  isOwner: true,
  caller: 'dashboard',
  signedAt: new Date().toISOString(),
  vendorProductId: null,
};

/**
 * A value in the format of the old sealed header (base64url payload, HMAC keyed from `secret`,
 * bound to `credential`), as valid as one ever was: the strongest thing a client could send.
 */
function sealShaped(identity: Identity, secret: string, credential: string): string {
  const exp = Math.floor(Date.now() / 1000) + 30;
  const payload = Buffer.from(JSON.stringify({ identity, exp })).toString('base64url');
  const mac = createHmac('sha256', `forwarded-identity:v2:${secret}`)
    .update(`${payload}.${credential}`)
    .digest('base64url');
  return `${payload}.${mac}`;
}

const ownerOfAInstance = (options: { signDate?: string } = {}) =>
  kit.signInstance({ instanceId: INSTANCE_A, uid: 'user-1', ...options });

const me = (options: { auth?: string; identityHeader?: string } = {}) =>
  kit.call(GET, '/api/me', {
    auth: options.auth,
    headers:
      options.identityHeader === undefined ? {} : { [IDENTITY_HEADER]: options.identityHeader },
  });

async function expect401(response: Response, code: string) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: 401, code });
  expect(body).not.toHaveProperty('instanceId');
}

describe('GET /api/me', () => {
  it('answers 200 with who a valid instance says the caller is', async () => {
    const signDate = new Date(Date.now() - 60_000).toISOString();
    const response = await me({ auth: await ownerOfAInstance({ signDate }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({
      instanceId: INSTANCE_A,
      uid: 'user-1',
      permissions: 'OWNER',
      isOwner: true,
      credential: 'signed-instance',
      signedAt: signDate,
    });
  });

  it('accepts the credential with a Bearer prefix', async () => {
    const response = await me({ auth: `Bearer ${await kit.signInstance()}` });
    expect(response.status).toBe(200);
  });

  it('reports a non-owner as such', async () => {
    const response = await me({ auth: await kit.signInstance({ owner: false }) });
    expect(await response.json()).toMatchObject({ permissions: null, isOwner: false });
  });

  it('answers with its own identity when a valid credential comes with a matching identity header', async () => {
    const credential = await ownerOfAInstance();
    const response = await me({
      auth: credential,
      identityHeader: sealShaped(ownerOfA, TEST_APP_SECRET, credential),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ instanceId: INSTANCE_A });
  });
});

describe('GET /api/me ignores a client-sent x-wix-verified-identity header', () => {
  it('answers 401 missing_credentials when nothing is sent', async () => {
    await expect401(await me(), 'missing_credentials');
  });

  it('answers 401 missing_credentials for a garbage identity header without a credential', async () => {
    await expect401(await me({ identityHeader: 'garbage' }), 'missing_credentials');
  });

  it('answers 401 missing_credentials for an identity header that is plain JSON', async () => {
    await expect401(await me({ identityHeader: JSON.stringify(ownerOfA) }), 'missing_credentials');
  });

  it('answers 401 invalid_signature for a header made with another secret, sent with its matching credential', async () => {
    const credential = await kit.signInstance({ instanceId: INSTANCE_A, secret: 'other-secret' });
    await expect401(
      await me({
        auth: credential,
        identityHeader: sealShaped(ownerOfA, 'other-secret', credential),
      }),
      'invalid_signature',
    );
  });

  it('answers 401 missing_credentials for a header made with another secret and no credential', async () => {
    await expect401(
      await me({ identityHeader: sealShaped(ownerOfA, 'other-secret', '') }),
      'missing_credentials',
    );
  });

  it('answers 401 expired_instance for a header claiming A sent with an expired credential for B', async () => {
    const headerForA = sealShaped(ownerOfA, TEST_APP_SECRET, await ownerOfAInstance());
    const expiredB = await kit.signInstance({ instanceId: INSTANCE_B, signDate: twoDaysAgo() });
    await expect401(await me({ auth: expiredB, identityHeader: headerForA }), 'expired_instance');
  });

  it('answers 401 missing_credentials for a header made with the app secret, sent without any Authorization', async () => {
    const headerForA = sealShaped(ownerOfA, TEST_APP_SECRET, await ownerOfAInstance());
    await expect401(await me({ identityHeader: headerForA }), 'missing_credentials');
  });

  it('answers 401 invalid_signature for a header made for a valid credential, sent with a forged one', async () => {
    const headerForA = sealShaped(ownerOfA, TEST_APP_SECRET, await ownerOfAInstance());
    const forgedA = await kit.signInstance({ instanceId: INSTANCE_A, secret: 'other-secret' });
    await expect401(await me({ auth: forgedA, identityHeader: headerForA }), 'invalid_signature');
  });

  it('answers for B when B’s valid credential comes with a header claiming A', async () => {
    const headerForA = sealShaped(ownerOfA, TEST_APP_SECRET, await ownerOfAInstance());
    const response = await me({
      auth: await kit.signInstance({ instanceId: INSTANCE_B, owner: false }),
      identityHeader: headerForA,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ instanceId: INSTANCE_B, isOwner: false });
  });

  it('answers for B when B’s valid credential comes with a header made with the app secret for another credential', async () => {
    const response = await me({
      auth: await kit.signInstance({ instanceId: INSTANCE_B }),
      identityHeader: sealShaped(ownerOfA, TEST_APP_SECRET, 'some-other'),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ instanceId: INSTANCE_B });
  });

  it('never returns the app secret or the credential in a refusal', async () => {
    const credential = await kit.signInstance({ secret: 'other-secret' });
    const response = await me({ auth: credential });
    const text = [...response.headers].join('\n') + (await response.text());
    expect(text).not.toContain(TEST_APP_SECRET);
    expect(text).not.toContain(credential);
  });
});
