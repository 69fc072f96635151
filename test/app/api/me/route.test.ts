import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/me/route';
import { createIdentityForwarder, IDENTITY_HEADER } from '@/lib/auth/forwarded-identity';
import type { Identity } from '@/lib/auth/identity';
import { closeDatabase, getDatabase } from '@/lib/server/database';
import { gateApiRequest } from '@/lib/server/gate-api-request';
import { INSTANCE_A, INSTANCE_B, testInstance } from '../../../helpers/instances';
import { apiRequest } from '../../../helpers/requests';
import { TEST_APP_SECRET, testContext } from '../../../helpers/test-config';

// The route records each instance it sees; open the (in-memory) database once, up front.
beforeAll(async () => {
  await getDatabase();
});
afterAll(closeDatabase);

const twoDaysAgo = () => new Date(Date.now() - 2 * 86_400_000).toISOString();

const ownerOfA: Identity = {
  credential: 'signed-instance',
  instanceId: INSTANCE_A,
  uid: 'user-1',
  permissions: 'OWNER',
  isOwner: true,
  signedAt: new Date().toISOString(),
  vendorProductId: null,
};

/** The header the real middleware would forward for `credential`. */
async function sealFromGate(credential: string): Promise<string> {
  const gate = await gateApiRequest(
    apiRequest('/api/me', { headers: { authorization: credential } }),
    testContext(),
  );
  if (gate.kind !== 'continue') throw new Error('the gate refused a credential meant to be valid');
  return gate.requestHeaders.get(IDENTITY_HEADER)!;
}

const me = (headers: Record<string, string> = {}) => GET(apiRequest('/api/me', { headers }));

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
    const response = await me({ authorization: await testInstance({ signDate }) });
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
    const response = await me({ authorization: `Bearer ${await testInstance()}` });
    expect(response.status).toBe(200);
  });

  it('reports a non-owner as such', async () => {
    const response = await me({ authorization: await testInstance({ permissions: null }) });
    expect(await response.json()).toMatchObject({ permissions: null, isOwner: false });
  });

  it('answers with the identity the middleware sealed for this very credential', async () => {
    const credential = await testInstance();
    const response = await me({
      authorization: credential,
      [IDENTITY_HEADER]: await sealFromGate(credential),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ instanceId: INSTANCE_A });
  });
});

describe('GET /api/me reached without the middleware', () => {
  it('answers 401 missing_credentials when nothing is sent', async () => {
    await expect401(await me(), 'missing_credentials');
  });

  it('answers 401 for a garbage identity header without a credential', async () => {
    await expect401(await me({ [IDENTITY_HEADER]: 'garbage' }), 'missing_credentials');
  });

  it('answers 401 for an identity header that is plain JSON', async () => {
    await expect401(
      await me({ [IDENTITY_HEADER]: JSON.stringify(ownerOfA) }),
      'missing_credentials',
    );
  });

  it('answers 401 for a seal made with another secret, presented with its matching credential', async () => {
    const credential = await testInstance({}, 'other-secret');
    const forged = await createIdentityForwarder('other-secret').seal(ownerOfA, credential);
    await expect401(
      await me({ authorization: credential, [IDENTITY_HEADER]: forged }),
      'invalid_signature',
    );
  });

  it('answers 401 for a seal made with another secret and no credential', async () => {
    const forged = await createIdentityForwarder('other-secret').seal(ownerOfA, '');
    await expect401(await me({ [IDENTITY_HEADER]: forged }), 'missing_credentials');
  });

  it('answers 401 for a real seal for instance A sent with an expired credential for instance B', async () => {
    const sealA = await sealFromGate(await testInstance());
    const expiredB = await testInstance({ instanceId: INSTANCE_B, signDate: twoDaysAgo() });
    await expect401(
      await me({ authorization: expiredB, [IDENTITY_HEADER]: sealA }),
      'expired_instance',
    );
  });

  it('answers 401 for a real seal sent without any Authorization', async () => {
    const sealA = await sealFromGate(await testInstance());
    await expect401(await me({ [IDENTITY_HEADER]: sealA }), 'missing_credentials');
  });

  it('answers 401 for a real seal bound to an instance that has since been replaced by a forged one', async () => {
    const credentialA = await testInstance();
    const sealA = await sealFromGate(credentialA);
    const forgedA = await testInstance({}, 'other-secret');
    await expect401(
      await me({ authorization: forgedA, [IDENTITY_HEADER]: sealA }),
      'invalid_signature',
    );
  });

  it('answers for B when B’s valid credential comes with a real seal claiming A', async () => {
    const sealA = await sealFromGate(await testInstance());
    const response = await me({
      authorization: await testInstance({ instanceId: INSTANCE_B, permissions: null }),
      [IDENTITY_HEADER]: sealA,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ instanceId: INSTANCE_B, isOwner: false });
  });

  it('answers for B when B’s valid credential comes with a seal forged with the app secret for another credential', async () => {
    const forged = await createIdentityForwarder(TEST_APP_SECRET).seal(ownerOfA, 'some-other');
    const response = await me({
      authorization: await testInstance({ instanceId: INSTANCE_B }),
      [IDENTITY_HEADER]: forged,
    });
    expect(await response.json()).toMatchObject({ instanceId: INSTANCE_B });
  });

  it('never returns the app secret or the credential in a refusal', async () => {
    const credential = await testInstance({}, 'other-secret');
    const response = await me({ authorization: credential });
    const text = [...response.headers].join('\n') + (await response.text());
    expect(text).not.toContain(TEST_APP_SECRET);
    expect(text).not.toContain(credential);
  });
});
