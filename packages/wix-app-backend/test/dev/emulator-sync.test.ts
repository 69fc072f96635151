import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorSettingsOf, syncEmulatorInstance } from '../../src/dev/emulator-sync';
import { startWixEmulator, type WixEmulator } from '../../src/dev/wix-emulator';
import { AppError } from '../../src/errors/app-error';
import { testAppConfig } from '../../src/testing';
import { INSTANCE_A } from '../../src/testing/instances';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';

let emulator: WixEmulator;
beforeAll(async () => {
  emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
});
afterAll(() => emulator.close());

/** The billing Get App Instance reports for the instance, as the app's refresh reads it. */
async function billingOf(instanceId: string): Promise<unknown> {
  const minted = await fetch(`${emulator.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: TEST_APP_ID,
      client_secret: TEST_APP_SECRET,
      instance_id: instanceId,
    }),
  });
  const { access_token: token } = (await minted.json()) as { access_token: string };
  const answer = await fetch(`${emulator.url}/apps/v1/instance`, {
    headers: { authorization: token },
  });
  return ((await answer.json()) as { instance: { billing?: unknown } }).instance.billing ?? null;
}

const expiresAt = new Date('2027-01-01T00:00:00.000Z');

describe('emulatorSettingsOf', () => {
  it.each([
    [
      'a purchased plan, with its cycle and expiry',
      { kind: 'plan', plan: 'gold', cycle: 'YEARLY', expiresAt },
      {
        paid: {
          vendorProductId: 'gold',
          billingCycle: 'YEARLY',
          expirationDate: expiresAt.toISOString(),
        },
      },
    ],
    [
      'a plan event without cycle or expiry',
      { kind: 'plan', plan: 'gold', cycle: null, expiresAt: null },
      { paid: { vendorProductId: 'gold' } },
    ],
    [
      'a plan event naming no plan',
      { kind: 'plan', plan: null, cycle: null, expiresAt: null },
      { paid: null },
    ],
    ['a cancelled auto-renewal', { kind: 'auto_renew_cancelled' }, { autoRenewing: false }],
    ['a removal', { kind: 'removed' }, { removed: true }],
    ['an install', { kind: 'installed', originInstanceId: null }, { removed: false }],
  ] as const)('tells the emulator of %s', (_label, event, settings) => {
    expect(emulatorSettingsOf(event)).toEqual(settings);
  });

  it.each([
    [
      'a transfer (the billing Wix reports stays)',
      { kind: 'plan', plan: 'gold', cycle: null, expiresAt: null, keepExpiry: true },
    ],
    ['an event that is not an app-instance event', { kind: 'unknown' }],
  ] as const)('leaves the emulator alone for %s', (_label, event) => {
    expect(emulatorSettingsOf(event)).toBeNull();
  });
});

describe('syncEmulatorInstance', () => {
  const config = () => testAppConfig({ WIX_API_BASE_URL: emulator.url });

  it('makes Get App Instance report what the event says', async () => {
    expect(await billingOf(INSTANCE_A)).toBeNull();
    await syncEmulatorInstance(config(), INSTANCE_A, {
      kind: 'plan',
      plan: 'gold',
      cycle: 'YEARLY',
      expiresAt,
    });
    expect(await billingOf(INSTANCE_A)).toMatchObject({
      packageName: 'gold',
      billingCycle: 'YEARLY',
      expirationDate: expiresAt.toISOString(),
      autoRenewing: true,
    });
    await syncEmulatorInstance(config(), INSTANCE_A, { kind: 'auto_renew_cancelled' });
    expect(await billingOf(INSTANCE_A)).toMatchObject({ packageName: 'gold', autoRenewing: false });
  });

  it('sends nothing for an event that changes nothing there', async () => {
    const before = emulator.stats();
    // Nothing listens at the default test base URL: a request would fail.
    await syncEmulatorInstance(testAppConfig(), INSTANCE_A, { kind: 'unknown' });
    expect(emulator.stats()).toEqual(before);
  });

  it('throws wix_unavailable when the emulator does not take it', async () => {
    const error = await syncEmulatorInstance(testAppConfig(), INSTANCE_A, {
      kind: 'removed',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('wix_unavailable');
  });
});
