import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WixEmulator } from '../../src/dev/wix-emulator';
import { siteIdFor } from '../../src/dev/wix-emulator/instances';
import { createWixAppClient, forInstance, type WixAppClient } from '../../src/wix/app-client';
import { createAppTokenProvider } from '../../src/wix/app-token-provider';
import { getAppInstance } from '../../src/wix/get-app-instance';
import { createInstanceBudget } from '../../src/wix/instance-budget';
import { createTokenSealer } from '../../src/wix/seal-token';
import { WixApiError } from '../../src/wix/wix-api-error';
import { createWixFetch } from '../../src/wix/wix-fetch';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';
import {
  openMemoryStore,
  rejectionOf,
  sendJson,
  startTestEmulator,
  startTinyServer,
  type MemoryStore,
  type TinyServer,
} from './wix-harness';

let emulator: WixEmulator;
let memory: MemoryStore;

beforeAll(async () => {
  [emulator, memory] = await Promise.all([startTestEmulator(), openMemoryStore()]);
});
afterAll(async () => {
  await Promise.all([emulator.close(), memory.close()]);
});

function clientFor(baseUrl: string): WixAppClient {
  const wixFetch = createWixFetch({ baseUrl });
  const tokens = createAppTokenProvider({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    wixFetch,
    store: memory.store,
    sealer: createTokenSealer(TEST_APP_SECRET),
  });
  return createWixAppClient({ tokens, wixFetch, budget: createInstanceBudget() });
}

/** A Wix that mints tokens and answers Get App Instance with `instance`. */
async function wixAnswering(instance: unknown): Promise<TinyServer> {
  return startTinyServer((request, res) =>
    request.path === '/oauth2/token'
      ? sendJson(res, 200, { access_token: 'token', expires_in: 14_400 })
      : sendJson(res, 200, instance),
  );
}

async function withWix<T>(instance: unknown, run: (client: WixAppClient) => Promise<T>) {
  const wix = await wixAnswering(instance);
  try {
    return await run(clientFor(wix.url));
  } finally {
    await wix.close();
  }
}

describe('getAppInstance', () => {
  it('reshapes Wix’s answer for a free install into our own type', async () => {
    const id = randomUUID();
    const siteId = siteIdFor(id);
    expect(await getAppInstance(forInstance(clientFor(emulator.url), id))).toEqual({
      instanceId: id,
      appName: 'Emulated Wix App',
      appVersion: '1.0.0',
      isFree: true,
      plan: null,
      billing: null,
      site: {
        id: siteId,
        name: `Emulated site ${id.slice(0, 8)}`,
        url: `https://site-${siteId.slice(0, 8)}.wixsite.com/emulated`,
        locale: 'en',
      },
    });
  });

  it('reports a paid plan by its package name', async () => {
    const id = randomUUID();
    emulator.setInstance(id, { paid: { vendorProductId: 'premium-yearly' } });
    expect(await getAppInstance(forInstance(clientFor(emulator.url), id))).toMatchObject({
      instanceId: id,
      isFree: false,
      plan: 'premium-yearly',
    });
  });

  it('reports the free plan again after a downgrade', async () => {
    const id = randomUUID();
    emulator.setInstance(id, { paid: { vendorProductId: 'pro' } });
    emulator.setInstance(id, { paid: null });
    expect(await getAppInstance(forInstance(clientFor(emulator.url), id))).toMatchObject({
      isFree: true,
      plan: null,
    });
  });

  it('reads absent optional fields as null, and no billing as free', async () => {
    const result = await withWix({ instance: { instanceId: 'i-1' } }, (client) =>
      getAppInstance(forInstance(client, randomUUID())),
    );
    expect(result).toEqual({
      instanceId: 'i-1',
      appName: null,
      appVersion: null,
      isFree: true,
      plan: null,
      billing: null,
      site: { id: null, name: null, url: null, locale: null },
    });
  });

  it('reports the billing of a paid plan: cycle, expiry and renewal', async () => {
    const result = await withWix(
      {
        instance: {
          instanceId: 'i-1',
          isFree: false,
          billing: {
            packageName: 'gold',
            billingCycle: 'YEARLY',
            timeStamp: '2026-01-01T00:00:00.000Z',
            expirationDate: '2027-01-01T00:00:00Z',
            autoRenewing: false,
          },
        },
      },
      (client) => getAppInstance(forInstance(client, randomUUID())),
    );
    expect(result).toMatchObject({
      isFree: false,
      plan: 'gold',
      billing: { cycle: 'YEARLY', expiresAt: '2027-01-01T00:00:00.000Z', autoRenews: false },
    });
  });

  it('reads billing fields of an unexpected type, or an unreadable expiry, as null', async () => {
    const result = await withWix(
      {
        instance: {
          instanceId: 'i-1',
          billing: {
            packageName: 'gold',
            billingCycle: 12,
            expirationDate: 'soon',
            autoRenewing: 'yes',
          },
        },
      },
      (client) => getAppInstance(forInstance(client, randomUUID())),
    );
    expect(result).toMatchObject({
      plan: 'gold',
      billing: { cycle: null, expiresAt: null, autoRenews: null },
    });
  });

  it('infers a paid install from billing when isFree is missing', async () => {
    const result = await withWix(
      { instance: { instanceId: 'i-1', billing: { packageName: 'basic' } } },
      (client) => getAppInstance(forInstance(client, randomUUID())),
    );
    expect(result).toMatchObject({ isFree: false, plan: 'basic' });
  });

  it('reads fields of an unexpected type as null instead of failing', async () => {
    const result = await withWix(
      {
        instance: { instanceId: 'i-1', appName: 42, isFree: 'yes', billing: 'gold' },
        site: { siteId: ['x'], url: 'https://example.com' },
      },
      (client) => getAppInstance(forInstance(client, randomUUID())),
    );
    expect(result).toMatchObject({
      appName: null,
      isFree: true,
      plan: null,
      billing: null,
      site: { id: null, url: 'https://example.com' },
    });
  });

  it.each([
    ['an empty object', {}],
    ['an instance without instanceId', { instance: { appName: 'x' } }],
    ['an array', []],
    ['null', null],
  ])('refuses %s as a 502 WixApiError', async (_name, answer) => {
    const error = await withWix(answer, (client) =>
      rejectionOf(getAppInstance(forInstance(client, 'i-1'))),
    );
    expect(error).toBeInstanceOf(WixApiError);
    expect(error).toMatchObject({ kind: 'http', status: 502, code: 'wix_unavailable' });
  });

  it('asks Wix for the instance the client is bound to, with that instance’s token', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const client = clientFor(emulator.url);
    const before = emulator.stats();
    const [infoA, infoB] = await Promise.all([
      getAppInstance(forInstance(client, a)),
      getAppInstance(forInstance(client, b)),
    ]);
    expect([infoA.instanceId, infoB.instanceId]).toEqual([a, b]);
    const after = emulator.stats();
    expect(after.tokensMintedPerInstance[a]).toBe((before.tokensMintedPerInstance[a] ?? 0) + 1);
    expect(after.apiCallsPerInstance[b]).toBe((before.apiCallsPerInstance[b] ?? 0) + 1);
  });

  it('takes the client lazily: a bound client from a factory builds it on first call', async () => {
    const id = randomUUID();
    let built = 0;
    const wix = forInstance(async () => {
      built++;
      return clientFor(emulator.url);
    }, id);
    expect(wix.instanceId).toBe(id);
    expect(built).toBe(0);
    expect((await getAppInstance(wix)).instanceId).toBe(id);
    expect(built).toBe(1);
  });
});
