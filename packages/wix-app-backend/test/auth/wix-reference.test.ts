/**
 * Wix's documented algorithm (docs/wix-protocol.md, "Signed instance"), written here from the documentation
 * with node:crypto only, so that our signer and verifier are checked against something that does
 * not share their code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signInstance } from '../../src/auth/sign-instance';
import { createInstanceVerifier } from '../../src/auth/verify-instance';
import { INSTANCE_A } from '../../src/testing/instances';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';

/** `<base64url(HMAC-SHA256(secret, dataText))>.<dataText>`, dataText = base64url(JSON), no padding. */
function referenceSign(payload: object, secret: string): string {
  const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', secret).update(data).digest('base64url');
  return `${signature}.${data}`;
}

/** The payload if the signature over the data text matches, else null. */
function referenceVerify(instance: string, secret: string): Record<string, unknown> | null {
  const parts = instance.split('.');
  if (parts.length !== 2) return null;
  const [signature, data] = parts as [string, string];
  const expected = createHmac('sha256', secret).update(data).digest();
  const received = Buffer.from(signature, 'base64url');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return null;
  return JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const ourVerifier = (secret: string, appId: string) =>
  createInstanceVerifier({ secret, appId, maxAgeSeconds: 86_400 });

describe('Wix reference algorithm', () => {
  it('our verifier accepts an instance signed by the independent implementation', async () => {
    const instance = referenceSign(
      {
        instanceId: INSTANCE_A,
        appDefId: TEST_APP_ID,
        signDate: new Date().toISOString(),
        uid: 'user-1',
        permissions: 'OWNER',
      },
      TEST_APP_SECRET,
    );
    const result = await ourVerifier(TEST_APP_SECRET, TEST_APP_ID)(instance);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.instanceId).toBe(INSTANCE_A);
      expect(result.value.isOwner).toBe(true);
    }
  });

  it('our verifier refuses an instance the independent implementation signed with another secret', async () => {
    const instance = referenceSign(
      { instanceId: INSTANCE_A, appDefId: TEST_APP_ID, signDate: new Date().toISOString() },
      'not-the-app-secret',
    );
    const result = await ourVerifier(TEST_APP_SECRET, TEST_APP_ID)(instance);
    expect(result).toMatchObject({ ok: false, reason: 'invalid_signature' });
  });

  it('the independent verifier accepts an instance from our signInstance', async () => {
    const signDate = new Date().toISOString();
    const instance = await signInstance(
      {
        instanceId: INSTANCE_A,
        appDefId: TEST_APP_ID,
        signDate,
        uid: 'user-1',
        permissions: 'OWNER',
      },
      TEST_APP_SECRET,
    );
    expect(referenceVerify(instance, TEST_APP_SECRET)).toEqual({
      instanceId: INSTANCE_A,
      appDefId: TEST_APP_ID,
      signDate,
      uid: 'user-1',
      permissions: 'OWNER',
    });
    expect(referenceVerify(instance, 'not-the-app-secret')).toBeNull();
  });

  it('our signInstance produces unpadded base64url in both parts, like Wix', async () => {
    for (let n = 0; n < 6; n++) {
      const instance = await signInstance(
        { instanceId: INSTANCE_A, signDate: new Date().toISOString(), extra: 'x'.repeat(n) },
        TEST_APP_SECRET,
      );
      expect(instance).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/);
    }
  });

  it('reproduces the shape of a Wix instance: 43-character signature, base64url JSON data', async () => {
    const secret = 'synthetic-app-secret-0000';
    const appDefId = '22222222-2222-4222-8222-222222222222';
    const instance = referenceSign(
      {
        instanceId: '11111111-1111-4111-8111-111111111111',
        appDefId,
        signDate: new Date().toISOString(),
        uid: '33333333-3333-4333-8333-333333333333',
        permissions: 'OWNER',
      },
      secret,
    );
    const [signature, data] = instance.split('.') as [string, string];
    expect(signature).toHaveLength(43);
    // The documented example's data part begins with exactly these characters.
    expect(data.startsWith('eyJpbnN0YW5jZUlkIjoiMTEx')).toBe(true);
    expect(Buffer.from(data, 'base64url').toString('utf8')).toMatch(/^\{"instanceId":"111/);
    expect((await ourVerifier(secret, appDefId)(instance)).ok).toBe(true);
  });
});
