import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WixEmulator } from '../../src/dev/wix-emulator';
import { openAppDatabase, type AppDatabase } from '../../src/app/database';
import { wixAppTokens } from '../../src/db/schema';
import {
  createAppTokenProvider,
  TOKEN_REFRESH_MARGIN_MS,
  type AppTokenProvider,
  type AppTokenProviderOptions,
} from '../../src/wix/app-token-provider';
import { createTokenSealer } from '../../src/wix/seal-token';
import type { AppTokenStore } from '../../src/wix/app-token-store';
import { WixApiError } from '../../src/wix/wix-api-error';
import { createWixFetch } from '../../src/wix/wix-fetch';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';
import {
  createClock,
  openMemoryStore,
  recordingSleep,
  rejectionOf,
  sendJson,
  startTestEmulator,
  startTinyServer,
  type Clock,
  type MemoryStore,
} from './wix-harness';

const FOUR_HOURS_MS = 14_400_000;

let clock: Clock;
let emulator: WixEmulator;
let memory: MemoryStore;

beforeAll(async () => {
  clock = createClock();
  [emulator, memory] = await Promise.all([
    startTestEmulator({ now: () => clock.now() }),
    openMemoryStore(),
  ]);
});
afterAll(async () => {
  await Promise.all([emulator.close(), memory.close()]);
});
beforeEach(() => {
  emulator.clearFaults();
});

/** A provider as the app builds one: its own memory, over `store` (default: the shared one). */
function provider(options: Partial<AppTokenProviderOptions> = {}): AppTokenProvider {
  return createAppTokenProvider({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    wixFetch: createWixFetch({
      baseUrl: emulator.url,
      now: clock.now,
      sleep: recordingSleep().sleep,
    }),
    store: memory.store,
    sealer: createTokenSealer(TEST_APP_SECRET),
    now: clock.now,
    ...options,
  });
}

const mints = (instanceId: string) => emulator.stats().tokensMintedPerInstance[instanceId] ?? 0;

/** Whether Wix (the emulator) accepts `token` for Get App Instance. */
async function wixAccepts(token: string): Promise<boolean> {
  const response = await fetch(`${emulator.url}/apps/v1/instance`, {
    headers: { authorization: token },
  });
  await response.body?.cancel();
  return response.ok;
}

async function storedRow(instanceId: string) {
  const rows = await memory.handle.db
    .select()
    .from(wixAppTokens)
    .where(eq(wixAppTokens.instanceId, instanceId));
  return rows[0] ?? null;
}

describe('createAppTokenProvider: one mint', () => {
  it('mints exactly one token for 200 concurrent first calls for an instance', async () => {
    const id = randomUUID();
    const tokens = provider();
    const got = await Promise.all(Array.from({ length: 200 }, () => tokens.getToken(id)));
    expect(mints(id)).toBe(1);
    expect(new Set(got).size).toBe(1);
    expect(await wixAccepts(got[0]!)).toBe(true);
  });

  it('answers later calls from its cache without minting again', async () => {
    const id = randomUUID();
    const tokens = provider();
    const first = await tokens.getToken(id);
    const requestsBefore = emulator.stats().requests;
    for (let i = 0; i < 50; i++) expect(await tokens.getToken(id)).toBe(first);
    expect(mints(id)).toBe(1);
    expect(emulator.stats().requests).toBe(requestsBefore);
  });

  it('keeps instances apart: one token per instance, each for its own instance', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const tokens = provider();
    const [tokenA, tokenB] = await Promise.all([tokens.getToken(a), tokens.getToken(b)]);
    expect(tokenA).not.toBe(tokenB);
    expect([mints(a), mints(b)]).toEqual([1, 1]);
    const info = await fetch(`${emulator.url}/oauth2/token-info`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: tokenB }),
    });
    expect(await info.json()).toMatchObject({ instanceId: b, subjectType: 'APP' });
  });

  it('reuses a token another process stored, without minting', async () => {
    const id = randomUUID();
    const minted = await provider().getToken(id);
    // A second provider has its own (empty) memory: only the database can tell it the token.
    const other = provider();
    expect(await other.getToken(id)).toBe(minted);
    expect(mints(id)).toBe(1);
  });
});

describe('createAppTokenProvider: refresh', () => {
  it(`replaces the token once, TOKEN_REFRESH_MARGIN_MS (${TOKEN_REFRESH_MARGIN_MS} ms) before it expires`, async () => {
    const id = randomUUID();
    const start = clock.now();
    try {
      const tokens = provider();
      const first = await tokens.getToken(id);
      const expiresAt = start + FOUR_HOURS_MS;
      expect((await storedRow(id))?.expiresAt.getTime()).toBe(expiresAt);

      clock.set(expiresAt - TOKEN_REFRESH_MARGIN_MS - 1);
      expect(await tokens.getToken(id)).toBe(first);
      expect(await provider().getToken(id)).toBe(first);
      expect(mints(id)).toBe(1);

      clock.set(expiresAt - TOKEN_REFRESH_MARGIN_MS);
      const renewed = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken(id)));
      expect(new Set(renewed).size).toBe(1);
      expect(renewed[0]).not.toBe(first);
      expect(mints(id)).toBe(2);
      expect(await wixAccepts(renewed[0]!)).toBe(true);

      // The database now holds the new token: a fresh process reuses it.
      expect(await provider().getToken(id)).toBe(renewed[0]);
      expect((await storedRow(id))?.expiresAt.getTime()).toBe(
        expiresAt - TOKEN_REFRESH_MARGIN_MS + FOUR_HOURS_MS,
      );
      expect(mints(id)).toBe(2);
    } finally {
      clock.set(start);
    }
  });

  it('does not reuse a stored token that is inside the refresh margin', async () => {
    const id = randomUUID();
    const start = clock.now();
    try {
      const first = await provider().getToken(id);
      clock.advance(FOUR_HOURS_MS - TOKEN_REFRESH_MARGIN_MS);
      const second = await provider().getToken(id);
      expect(second).not.toBe(first);
      expect(mints(id)).toBe(2);
    } finally {
      clock.set(start);
    }
  });

  it('honours a custom refresh margin', async () => {
    const id = randomUUID();
    const start = clock.now();
    try {
      const tokens = provider({ refreshMarginMs: 60 * 60_000 });
      const first = await tokens.getToken(id);
      clock.advance(3 * 60 * 60_000 - 1);
      expect(await tokens.getToken(id)).toBe(first);
      clock.advance(1);
      expect(await tokens.getToken(id)).not.toBe(first);
      expect(mints(id)).toBe(2);
    } finally {
      clock.set(start);
    }
  });
});

describe('createAppTokenProvider: the token at rest', () => {
  it('stores the token sealed: the row never contains the token itself', async () => {
    const id = randomUUID();
    const token = await provider().getToken(id);
    const row = await storedRow(id);
    expect(row).not.toBeNull();
    expect(row!.sealedToken).not.toContain(token);
    // Not even a recognisable piece of it (the random last part of the JWS).
    expect(row!.sealedToken).not.toContain(token.split('.').at(-1));
    expect(row!.sealedToken).toMatch(/^v1\./);
    expect(createTokenSealer(TEST_APP_SECRET).open(row!.sealedToken)).toBe(token);
    expect(createTokenSealer('another-app-secret').open(row!.sealedToken)).toBeNull();
  });

  it('treats a token sealed under another secret as absent, and mints', async () => {
    const id = randomUUID();
    const original = await provider().getToken(id);
    const rotated = provider({ sealer: createTokenSealer('the-next-secret') });
    const token = await rotated.getToken(id);
    expect(token).not.toBe(original);
    expect(mints(id)).toBe(2);
    expect(createTokenSealer('the-next-secret').open((await storedRow(id))!.sealedToken)).toBe(
      token,
    );
  });

  it('treats a tampered row as absent, and mints', async () => {
    const id = randomUUID();
    await provider().getToken(id);
    const row = (await storedRow(id))!;
    const flipped = row.sealedToken.slice(0, -2) + (row.sealedToken.endsWith('A') ? 'BB' : 'AA');
    await memory.handle.db
      .update(wixAppTokens)
      .set({ sealedToken: flipped })
      .where(eq(wixAppTokens.instanceId, id));
    const token = await provider().getToken(id);
    expect(mints(id)).toBe(2);
    expect(await wixAccepts(token)).toBe(true);
  });
});

describe('createAppTokenProvider: invalidate', () => {
  it('ignores a token that is not the current one', async () => {
    const id = randomUUID();
    const tokens = provider();
    const current = await tokens.getToken(id);
    await tokens.invalidate(id, 'OauthNG.JWS.some.other.token');
    expect(await tokens.getToken(id)).toBe(current);
    expect(await memory.store.readAppToken(id)).not.toBeNull();
    expect(mints(id)).toBe(1);
  });

  it('drops the current token from memory and the database, so the next call mints', async () => {
    const id = randomUUID();
    const tokens = provider();
    const refused = await tokens.getToken(id);
    await tokens.invalidate(id, refused);
    expect(await memory.store.readAppToken(id)).toBeNull();
    const next = await tokens.getToken(id);
    expect(next).not.toBe(refused);
    expect(mints(id)).toBe(2);
  });

  it('keeps a newer token another process stored when invalidating a stale one', async () => {
    const id = randomUUID();
    const a = provider();
    const b = provider();
    const stale = await a.getToken(id);
    expect(await b.getToken(id)).toBe(stale);

    await a.invalidate(id, stale);
    const newer = await a.getToken(id);
    expect(newer).not.toBe(stale);

    // B learns late that the old token was refused: it must not delete A's new one.
    await b.invalidate(id, stale);
    expect(await b.getToken(id)).toBe(newer);
    expect(await memory.store.readAppToken(id)).not.toBeNull();
    expect(mints(id)).toBe(2);
  });
});

describe('createAppTokenProvider: mint failures', () => {
  it('propagates a refused mint (wrong secret) and does not cache the failure', async () => {
    const id = randomUUID();
    const tokens = provider({ appSecret: 'not-the-secret' });
    const requestsBefore = emulator.stats().requests;

    const failures = await Promise.all(
      Array.from({ length: 10 }, () => rejectionOf(tokens.getToken(id))),
    );
    for (const error of failures) {
      expect(error).toBeInstanceOf(WixApiError);
      expect(error).toMatchObject({ kind: 'http', status: 401 });
      expect((error as WixApiError).details.wixCode).toBe('INVALID_CLIENT');
    }
    // One attempt shared by the ten callers (a 401 is final: no retries)…
    expect(emulator.stats().requests - requestsBefore).toBe(1);

    // …and the next call asks again.
    await rejectionOf(tokens.getToken(id));
    expect(emulator.stats().requests - requestsBefore).toBe(2);
    expect(await memory.store.readAppToken(id)).toBeNull();
    expect(mints(id)).toBe(0);
  });

  it('mints after a failure once Wix accepts again', async () => {
    const id = randomUUID();
    const tokens = provider();
    emulator.setFaults({ status500: { count: 3 }, paths: ['/oauth2/token'] });
    const error = await rejectionOf(tokens.getToken(id));
    expect(error).toMatchObject({ kind: 'http', status: 500 });
    expect(await wixAccepts(await tokens.getToken(id))).toBe(true);
    expect(mints(id)).toBe(1);
  });

  it('fails with 403 for an instance the app was removed from', async () => {
    const id = randomUUID();
    emulator.setInstance(id, { removed: true });
    const error = await rejectionOf(provider().getToken(id));
    expect(error).toMatchObject({ kind: 'http', status: 403 });
    expect((error as WixApiError).details.wixCode).toBe('APP_NOT_INSTALLED');
  });

  it('refuses a token answer without an access token as a 502, storing nothing', async () => {
    const server = await startTinyServer((_request, res) =>
      sendJson(res, 200, { token_type: 'Bearer', expires_in: 14_400 }),
    );
    try {
      const id = randomUUID();
      const error = await rejectionOf(
        provider({ wixFetch: createWixFetch({ baseUrl: server.url }) }).getToken(id),
      );
      expect(error).toBeInstanceOf(WixApiError);
      expect(error).toMatchObject({ kind: 'http', status: 502 });
      expect(await memory.store.readAppToken(id)).toBeNull();
    } finally {
      await server.close();
    }
  });
});

// Two processes = two pools and two memories over one PostgreSQL: only the advisory lock in
// withAppTokenLock stands between them and two mints.
describe.skipIf(!process.env.TEST_DATABASE_URL)('createAppTokenProvider on PostgreSQL', () => {
  const databases: AppDatabase[] = [];
  let stores: AppTokenStore[] = [];

  beforeAll(async () => {
    const postgres = { databaseUrl: process.env.TEST_DATABASE_URL!, dataDir: 'unused' };
    databases.push(await openAppDatabase(postgres));
    databases.push(await openAppDatabase(postgres));
    stores = databases.map((database) => database.appTokens);
    // Both pools connected up front, so neither process lags behind the other's first query.
    await Promise.all(databases.map((database) => database.ping()));
  });
  // A mint that takes 50 ms keeps both processes inside the race: without the lock, both mint.
  beforeEach(() => {
    emulator.setFaults({ latencyMs: 50, paths: ['/oauth2/token'] });
  });
  afterAll(async () => {
    await Promise.all(databases.map((database) => database.close()));
  });

  it('mints exactly one token for 100 concurrent calls in each of two processes', async () => {
    const id = randomUUID();
    const [processA, processB] = stores.map((store) => provider({ store }));
    const got = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? processA! : processB!).getToken(id)),
    );
    expect(mints(id)).toBe(1);
    expect(new Set(got).size).toBe(1);
  });

  it('mints one token per instance when two processes race over ten instances', async () => {
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const [processA, processB] = stores.map((store) => provider({ store }));
    await Promise.all(
      ids.flatMap((id) => [
        ...Array.from({ length: 10 }, () => processA!.getToken(id)),
        ...Array.from({ length: 10 }, () => processB!.getToken(id)),
      ]),
    );
    expect(ids.map(mints)).toEqual(ids.map(() => 1));
  });

  it('lets the second process reuse the first one’s token after a refresh', async () => {
    const id = randomUUID();
    const start = clock.now();
    try {
      const [processA, processB] = stores.map((store) => provider({ store }));
      const first = await processA!.getToken(id);
      expect(await processB!.getToken(id)).toBe(first);
      clock.advance(FOUR_HOURS_MS - TOKEN_REFRESH_MARGIN_MS);
      const [a, b] = await Promise.all([processA!.getToken(id), processB!.getToken(id)]);
      expect(a).toBe(b);
      expect(a).not.toBe(first);
      expect(mints(id)).toBe(2);
    } finally {
      clock.set(start);
    }
  });
});
