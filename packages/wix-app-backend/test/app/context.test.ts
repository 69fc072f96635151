import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppDatabase } from '../../src/app/database';
import { createAppContext } from '../../src/app/context';
import { createSharedRegistry, processRegistry } from '../../src/app/shared';
import { IN_MEMORY_DATA_DIR } from '../../src/db/open-database';
import { signWixWebhook, lifecycleData } from '../../src/dev/sign-webhook';
import { startWixEmulator, type WixEmulator } from '../../src/dev/wix-emulator';
import { AppError } from '../../src/errors/app-error';
import { toProblemResponse } from '../../src/http/problem';
import { webhookKeyPair } from '../../src/testing/webhooks';
import {
  TEST_APP_ID,
  TEST_APP_SECRET,
  signTestInstance,
  testAppConfig,
  testRequest,
} from '../../src/testing';

async function thrownBy(run: () => unknown): Promise<AppError> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('createSharedRegistry', () => {
  it('creates a key’s value once and hands the same value out after that', () => {
    const registry = createSharedRegistry();
    const create = vi.fn(() => ({ made: randomUUID() }));
    const first = registry.once('thing', create);
    expect(registry.once('thing', create)).toBe(first);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('keeps one value per key', () => {
    const registry = createSharedRegistry();
    expect(registry.once('a', () => 'A')).toBe('A');
    expect(registry.once('b', () => 'B')).toBe('B');
    expect(registry.once('a', () => 'not A')).toBe('A');
  });

  it('hands concurrent callers the same pending promise', async () => {
    const registry = createSharedRegistry();
    let resolve!: (value: string) => void;
    const create = vi.fn(() => new Promise<string>((r) => (resolve = r)));
    const first = registry.once('slow', create);
    const second = registry.once('slow', create);
    expect(second).toBe(first);
    resolve('done');
    expect(await Promise.all([first, second])).toEqual(['done', 'done']);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('keeps a resolved promise', async () => {
    const registry = createSharedRegistry();
    const create = vi.fn(async () => 'open');
    await registry.once('db', create);
    await registry.once('db', create);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('does not keep a rejected promise: the next call tries again', async () => {
    const registry = createSharedRegistry();
    let attempt = 0;
    const create = vi.fn(async () => {
      attempt++;
      if (attempt === 1) throw new Error('outage');
      return 'open';
    });
    await expect(registry.once('db', create)).rejects.toThrow('outage');
    await expect(registry.once('db', create)).resolves.toBe('open');
    await expect(registry.once('db', create)).resolves.toBe('open');
    expect(create).toHaveBeenCalledTimes(2);
  });

  it('does not let a late rejection evict the value that replaced it', async () => {
    const registry = createSharedRegistry();
    let reject!: (error: Error) => void;
    const failing = registry.once('db', () => new Promise<string>((_, r) => (reject = r)));
    registry.delete('db');
    const replacement = registry.once('db', async () => 'second');
    reject(new Error('first open failed late'));
    await expect(failing).rejects.toThrow('first open failed late');
    expect(registry.once('db', async () => 'third')).toBe(replacement);
  });

  it('forgets a key on delete', () => {
    const registry = createSharedRegistry();
    registry.once('k', () => 1);
    registry.delete('k');
    expect(registry.once('k', () => 2)).toBe(2);
  });

  it('shares values between registries over one map', () => {
    const map = new Map<string, unknown>();
    createSharedRegistry(map).once('k', () => 'first');
    expect(createSharedRegistry(map).once('k', () => 'second')).toBe('first');
    expect(createSharedRegistry().once('k', () => 'private')).toBe('private');
  });
});

describe('processRegistry', () => {
  const key = `test-${randomUUID()}`;
  afterAll(() => processRegistry().delete(key));

  it('is one registry for the whole process, on globalThis', () => {
    const value = processRegistry().once(key, () => ({ made: 'once' }));
    expect(processRegistry().once(key, () => ({ made: 'twice' }))).toBe(value);
    expect((globalThis as { __wixAppShared?: Map<string, unknown> }).__wixAppShared?.get(key)).toBe(
      value,
    );
  });
});

describe('createWixApp: the process context', () => {
  it('builds the process context from the environment once', async () => {
    // The process context is the one place that reads the environment (src/config/env.ts).
    vi.stubEnv('WIX_APP_ID', TEST_APP_ID);
    vi.stubEnv('WIX_APP_SECRET', TEST_APP_SECRET);
    // A fresh module registry: another file in this worker may have built one already (decision 026).
    vi.resetModules();
    const { createWixApp } = await import('../../src/create-wix-app');
    const wixApp = createWixApp();
    const app = wixApp.context();
    expect(wixApp.context()).toBe(app);
    expect(app.config.wixAppId).toBe(TEST_APP_ID);
  });
});

describe('createAppContext: state shared through the registry', () => {
  let emulator: WixEmulator;
  beforeAll(async () => {
    emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
  });
  afterAll(() => emulator?.close());

  const config = () => testAppConfig({ WIX_API_BASE_URL: emulator.url });
  const verify = async (app: ReturnType<typeof createAppContext>, token: string) => {
    const result = await app.verifyCredential(testRequest('/api/me', { auth: token }));
    expect(result.ok).toBe(true);
  };

  it('shares the Token Info cache between contexts over one registry (middleware and handler)', async () => {
    const shared = createSharedRegistry();
    const token = emulator.issueWidgetToken({ instanceId: randomUUID() });
    const before = emulator.stats().tokenInfoCalls;
    await verify(createAppContext(config(), { shared }), token);
    await verify(createAppContext(config(), { shared }), token);
    expect(emulator.stats().tokenInfoCalls).toBe(before + 1);
  });

  it('shares it between contexts over the process registry', async () => {
    const token = emulator.issueWidgetToken({ instanceId: randomUUID() });
    const before = emulator.stats().tokenInfoCalls;
    // The first context over the process registry builds the verifier (the process context above may
    // have): start from none, so the one built here points at the emulator.
    processRegistry().delete('token-info');
    try {
      await verify(createAppContext(config(), { shared: processRegistry() }), token);
      await verify(createAppContext(config(), { shared: processRegistry() }), token);
      expect(emulator.stats().tokenInfoCalls).toBe(before + 1);
    } finally {
      processRegistry().delete('token-info');
    }
  });

  it('gives a context without a registry a cache of its own', async () => {
    const token = emulator.issueWidgetToken({ instanceId: randomUUID() });
    const before = emulator.stats().tokenInfoCalls;
    await verify(createAppContext(config()), token);
    await verify(createAppContext(config()), token);
    expect(emulator.stats().tokenInfoCalls).toBe(before + 2);
  });

  it('opens the configured database once per registry, for every context over it', async () => {
    const shared = createSharedRegistry();
    const inMemory = testAppConfig({ DATA_DIR: IN_MEMORY_DATA_DIR });
    const a = createAppContext(inMemory, { shared });
    const b = createAppContext(inMemory, { shared });
    const [fromA, fromB] = await Promise.all([a.database(), b.database()]);
    try {
      expect(fromB).toBe(fromA);
      expect(fromA.engine).toBe('pglite');
      expect(await a.database()).toBe(fromA);
    } finally {
      await fromA.close();
    }
  });

  it('uses the database it is given, as a value or a function, without opening one', async () => {
    const given = { engine: 'pglite' } as AppDatabase;
    expect(await createAppContext(config(), { database: given }).database()).toBe(given);
    const opener = vi.fn(async () => given);
    const app = createAppContext(config(), { database: opener });
    expect(await app.database()).toBe(given);
  });
});

describe('createAppContext: wixApiKey', () => {
  it('throws wix_api_key_not_configured (503) without WIX_API_KEY', async () => {
    const app = createAppContext(testAppConfig());
    const error = await thrownBy(() => app.wixApiKey());
    expect(error.code).toBe('wix_api_key_not_configured');
    expect(error.detail).toContain('WIX_API_KEY');
    expect(toProblemResponse(error).status).toBe(503);
  });

  it.each([
    ['WIX_SITE_ID', 'site-1', 'wix-site-id'],
    ['WIX_ACCOUNT_ID', 'account-1', 'wix-account-id'],
  ])('calls Wix with the key and %s when configured', async (variable, value, header) => {
    const seen: Request[] = [];
    const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Request(input, init));
      return Response.json({ ok: true });
    });
    const app = createAppContext(
      testAppConfig({
        WIX_API_KEY: 'IST.key-1',
        [variable]: value,
        WIX_API_BASE_URL: 'https://wix.example',
      }),
      { fetch },
    );
    expect(await app.wixApiKey().request({ path: '/site-properties/v4/properties' })).toEqual({
      ok: true,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('https://wix.example/site-properties/v4/properties');
    expect(seen[0]!.headers.get('authorization')).toBe('IST.key-1');
    expect(seen[0]!.headers.get(header)).toBe(value);
  });
});

describe('createAppContext: verifyWebhook', () => {
  const keys = webhookKeyPair();
  const delivery = () =>
    signWixWebhook(
      {
        eventType: 'AppRemoved',
        instanceId: randomUUID(),
        data: lifecycleData('AppRemoved', { appId: TEST_APP_ID, at: new Date() }),
      },
      keys.privateKey,
    );

  it('throws webhooks_not_configured (503) without a public key', async () => {
    const app = createAppContext(testAppConfig({ WIX_APP_PUBLIC_KEY: undefined }));
    expect(app.config.webhookPublicKeys).toEqual([]);
    const error = await thrownBy(async () => app.verifyWebhook(await delivery()));
    expect(error.code).toBe('webhooks_not_configured');
    expect(error.detail).toContain('WIX_APP_PUBLIC_KEY');
    expect(toProblemResponse(error).status).toBe(503);
  });

  it('verifies a delivery signed with the configured key', async () => {
    const app = createAppContext(testAppConfig({ WIX_APP_PUBLIC_KEY: keys.publicKeyPem }));
    const result = await app.verifyWebhook(await delivery());
    expect(result).toMatchObject({ ok: true, value: { eventType: 'AppRemoved' } });
  });

  it('refuses, without throwing, a delivery signed with another key', async () => {
    const app = createAppContext(testAppConfig());
    expect(await app.verifyWebhook(await delivery())).toMatchObject({
      ok: false,
      reason: 'invalid_webhook_signature',
    });
  });
});

describe('createAppContext: the clock', () => {
  it('checks instance freshness against the clock it is given', async () => {
    const past = Date.parse('2020-01-01T00:00:00.000Z');
    const credential = await signTestInstance({}, () => past);
    const then = createAppContext(testAppConfig(), { now: () => past + 1000 });
    const today = createAppContext(testAppConfig());
    const request = () => testRequest('/api/me', { auth: credential });
    expect(await then.verifyCredential(request())).toMatchObject({ ok: true });
    expect(await today.verifyCredential(request())).toMatchObject({
      ok: false,
      reason: 'expired_instance',
    });
    expect(then.now()).toBe(past + 1000);
  });
});
