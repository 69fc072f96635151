import { describe, expect, it } from 'vitest';
import {
  createIdentityForwarder,
  FORWARDED_IDENTITY_TTL_SECONDS,
} from '@/lib/auth/forwarded-identity';
import type { Identity } from '@/lib/auth/identity';
import { INSTANCE_A, INSTANCE_B, testInstance } from '../../helpers/instances';
import { TEST_APP_SECRET } from '../../helpers/test-credentials';

// A whole second, so the expiry edge below is exact.
const T0 = Date.parse('2025-06-01T12:00:00.000Z');

const identity: Identity = {
  credential: 'signed-instance',
  instanceId: INSTANCE_A,
  uid: 'user-1',
  permissions: 'OWNER',
  isOwner: true,
  signedAt: '2025-06-01T11:59:00.000Z',
  vendorProductId: null,
};

function clockAt(ms: number) {
  const clock = { ms, now: () => clock.ms };
  return clock;
}

describe('createIdentityForwarder', () => {
  it('opens its own seal for the same credential to the same identity', async () => {
    const credential = await testInstance();
    const forwarder = createIdentityForwarder(TEST_APP_SECRET);
    const sealed = await forwarder.seal(identity, credential);
    expect(await forwarder.open(sealed, credential)).toEqual(identity);
  });

  it('opens a seal made by another forwarder built from the same secret', async () => {
    const credential = await testInstance();
    const sealed = await createIdentityForwarder(TEST_APP_SECRET).seal(identity, credential);
    expect(await createIdentityForwarder(TEST_APP_SECRET).open(sealed, credential)).toEqual(
      identity,
    );
  });

  it('produces a header-safe value with no credential and no secret in it', async () => {
    const credential = await testInstance();
    const sealed = await createIdentityForwarder(TEST_APP_SECRET).seal(identity, credential);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(credential);
    expect(sealed).not.toContain(credential.split('.')[0]);
    expect(sealed).not.toContain(TEST_APP_SECRET);
    expect(Buffer.from(sealed.split('.')[0]!, 'base64url').toString()).not.toContain(
      TEST_APP_SECRET,
    );
  });

  it('refuses a seal presented with another credential', async () => {
    const forwarder = createIdentityForwarder(TEST_APP_SECRET);
    const credentialA = await testInstance();
    const credentialB = await testInstance({ instanceId: INSTANCE_B });
    const sealed = await forwarder.seal(identity, credentialA);
    expect(await forwarder.open(sealed, credentialB)).toBeNull();
    expect(await forwarder.open(sealed, '')).toBeNull();
  });

  it('still opens a seal exactly FORWARDED_IDENTITY_TTL_SECONDS after sealing', async () => {
    const clock = clockAt(T0);
    const forwarder = createIdentityForwarder(TEST_APP_SECRET, clock.now);
    const sealed = await forwarder.seal(identity, 'cred');
    clock.ms = T0 + FORWARDED_IDENTITY_TTL_SECONDS * 1000;
    expect(await forwarder.open(sealed, 'cred')).toEqual(identity);
  });

  it('refuses a seal 1 ms after FORWARDED_IDENTITY_TTL_SECONDS have passed', async () => {
    const clock = clockAt(T0);
    const forwarder = createIdentityForwarder(TEST_APP_SECRET, clock.now);
    const sealed = await forwarder.seal(identity, 'cred');
    clock.ms = T0 + FORWARDED_IDENTITY_TTL_SECONDS * 1000 + 1;
    expect(await forwarder.open(sealed, 'cred')).toBeNull();
    clock.ms = T0 + 3_600_000;
    expect(await forwarder.open(sealed, 'cred')).toBeNull();
  });

  it('keeps the TTL short: a leaked seal is useless within a minute', () => {
    expect(FORWARDED_IDENTITY_TTL_SECONDS).toBeGreaterThan(0);
    expect(FORWARDED_IDENTITY_TTL_SECONDS).toBeLessThanOrEqual(60);
  });

  it('refuses a seal whose payload was edited', async () => {
    const forwarder = createIdentityForwarder(TEST_APP_SECRET);
    const sealed = await forwarder.seal(identity, 'cred');
    const [payload, mac] = sealed.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      identity: Identity;
      exp: number;
    };
    claims.identity.instanceId = INSTANCE_B;
    const forged = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
    expect(await forwarder.open(forged, 'cred')).toBeNull();

    claims.identity.instanceId = INSTANCE_A;
    claims.exp += 3600;
    const extended = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
    expect(await forwarder.open(extended, 'cred')).toBeNull();
  });

  it('refuses a seal with one character of its MAC changed', async () => {
    const forwarder = createIdentityForwarder(TEST_APP_SECRET);
    const sealed = await forwarder.seal(identity, 'cred');
    const dot = sealed.indexOf('.');
    const c = sealed[dot + 1] === 'A' ? 'B' : 'A';
    const tampered = `${sealed.slice(0, dot + 1)}${c}${sealed.slice(dot + 2)}`;
    expect(await forwarder.open(tampered, 'cred')).toBeNull();
  });

  it('refuses a seal made with another app secret', async () => {
    const sealed = await createIdentityForwarder('other-secret').seal(identity, 'cred');
    expect(await createIdentityForwarder(TEST_APP_SECRET).open(sealed, 'cred')).toBeNull();
  });

  it('refuses a Wix instance signature presented as a seal (separate key domain)', async () => {
    const credential = await testInstance();
    const [signature, data] = credential.split('.') as [string, string];
    const forwarder = createIdentityForwarder(TEST_APP_SECRET);
    expect(await forwarder.open(`${data}.${signature}`, credential)).toBeNull();
  });

  it.each([
    '',
    '.',
    '..',
    'a.b',
    'a.b.c',
    'not a seal',
    '\u0000',
    'é.é',
    `${'A'.repeat(100)}.${'A'.repeat(43)}`,
    `${Buffer.from('null').toString('base64url')}.${'A'.repeat(43)}`,
  ])('refuses the garbage value %j without throwing', async (value) => {
    const forwarder = createIdentityForwarder(TEST_APP_SECRET);
    await expect(forwarder.open(value, 'cred')).resolves.toBeNull();
  });
});
