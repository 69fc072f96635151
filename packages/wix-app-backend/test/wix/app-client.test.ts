import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WixEmulator } from '../../src/dev/wix-emulator';
import { toProblemResponse } from '../../src/http/problem';
import { createWixAppClient, type WixAppClient } from '../../src/wix/app-client';
import { createAppTokenProvider, type AppTokenProvider } from '../../src/wix/app-token-provider';
import { createInstanceBudget, type InstanceBudget } from '../../src/wix/instance-budget';
import { createTokenSealer } from '../../src/wix/seal-token';
import { WixApiError } from '../../src/wix/wix-api-error';
import { createWixFetch, WIX_MAX_ATTEMPTS } from '../../src/wix/wix-fetch';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';
import {
  createClock,
  openMemoryStore,
  recordingSleep,
  rejectionOf,
  sendJson,
  startTestEmulator,
  startTinyServer,
  wixErrorBody,
  type Clock,
  type MemoryStore,
} from './wix-harness';

const GET_INSTANCE = { path: '/apps/v1/instance' };

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

interface Built {
  client: WixAppClient;
  tokens: AppTokenProvider;
  delays: number[];
}

/** The client as src/app/context.ts builds it, with recorded (instant) retry waits. */
function build(options: { baseUrl?: string; budget?: InstanceBudget } = {}): Built {
  const { sleep, delays } = recordingSleep();
  const wixFetch = createWixFetch({ baseUrl: options.baseUrl ?? emulator.url, sleep });
  const tokens = createAppTokenProvider({
    appId: TEST_APP_ID,
    appSecret: TEST_APP_SECRET,
    wixFetch,
    store: memory.store,
    sealer: createTokenSealer(TEST_APP_SECRET),
    now: clock.now,
  });
  const budget = options.budget ?? createInstanceBudget({ now: clock.now, sleep });
  return { client: createWixAppClient({ tokens, wixFetch, budget }), tokens, delays };
}

const mints = (id: string) => emulator.stats().tokensMintedPerInstance[id] ?? 0;
const apiCalls = (id: string) => emulator.stats().apiCallsPerInstance[id] ?? 0;

describe('createWixAppClient', () => {
  it('calls Wix with the instance’s app token', async () => {
    const id = randomUUID();
    const { client } = build();
    const body = await client.request<{ instance: { instanceId: string } }>(id, GET_INSTANCE);
    expect(body.instance.instanceId).toBe(id);
    expect(mints(id)).toBe(1);
    expect(apiCalls(id)).toBe(1);
  });

  it('sends the app token, not a caller’s Authorization header of another case', async () => {
    const seen: Array<string | undefined> = [];
    const wix = await startTinyServer((request, res) => {
      if (request.path === '/oauth2/token') {
        sendJson(res, 200, { access_token: 'app-token', expires_in: 14_400 });
      } else {
        seen.push(request.headers.authorization);
        sendJson(res, 200, {});
      }
    });
    try {
      const { client } = build({ baseUrl: wix.url });
      await client.request(randomUUID(), { path: '/x', headers: { Authorization: 'visitor' } });
      expect(seen).toEqual(['app-token']);
    } finally {
      await wix.close();
    }
  });

  it('uses each instance’s own token', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const { client } = build();
    const [bodyA, bodyB] = await Promise.all([
      client.request<{ instance: { instanceId: string } }>(a, GET_INSTANCE),
      client.request<{ instance: { instanceId: string } }>(b, GET_INSTANCE),
    ]);
    expect([bodyA.instance.instanceId, bodyB.instance.instanceId]).toEqual([a, b]);
  });
});

describe('createWixAppClient: overlapping identical GETs', () => {
  it('share one Wix call, one token and one unit of budget', async () => {
    const id = randomUUID();
    const { client } = build({
      budget: createInstanceBudget({ perMinute: 1, maxWaitMs: 0, now: clock.now }),
    });
    const bodies = await Promise.all(
      Array.from({ length: 50 }, () =>
        client.request<{ instance: { instanceId: string } }>(id, GET_INSTANCE),
      ),
    );
    expect(bodies.map((body) => body.instance.instanceId)).toEqual(Array(50).fill(id));
    expect(apiCalls(id)).toBe(1);
    expect(mints(id)).toBe(1);
  });

  it('are not shared once the call has answered: the next GET calls Wix again', async () => {
    const id = randomUUID();
    const { client } = build();
    await client.request(id, GET_INSTANCE);
    await client.request(id, GET_INSTANCE);
    expect(apiCalls(id)).toBe(2);
  });

  it('are shared per instance: two instances make two calls', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const { client } = build();
    await Promise.all([client.request(a, GET_INSTANCE), client.request(b, GET_INSTANCE)]);
    expect([apiCalls(a), apiCalls(b)]).toEqual([1, 1]);
  });

  it('share a failure too, without remembering it', async () => {
    const id = randomUUID();
    const { client } = build();
    await client.request(id, GET_INSTANCE); // the token, before the faults
    emulator.setFaults({ status500: { count: WIX_MAX_ATTEMPTS }, paths: ['/apps/v1/instance'] });
    const failures = await Promise.all(
      Array.from({ length: 10 }, () => rejectionOf(client.request(id, GET_INSTANCE))),
    );
    for (const error of failures) expect(error).toMatchObject({ status: 500 });
    expect(emulator.stats().faultsInjected.status500).toBeGreaterThanOrEqual(WIX_MAX_ATTEMPTS);
    expect(await client.request(id, GET_INSTANCE)).toMatchObject({ instance: { instanceId: id } });
  });

  it('never merges requests with a body or another method', async () => {
    const seen: string[] = [];
    const wix = await startTinyServer((request, res) => {
      if (request.path === '/oauth2/token') {
        sendJson(res, 200, { access_token: 'app-token', expires_in: 14_400 });
      } else {
        seen.push(`${request.method} ${request.body}`);
        sendJson(res, 200, {});
      }
    });
    try {
      const { client } = build({ baseUrl: wix.url });
      const id = randomUUID();
      await Promise.all([
        client.request(id, { method: 'POST', path: '/x', body: { n: 1 } }),
        client.request(id, { method: 'POST', path: '/x', body: { n: 1 } }),
        client.request(id, { method: 'PUT', path: '/x', body: { n: 2 } }),
      ]);
      expect(seen.sort()).toEqual(['POST {"n":1}', 'POST {"n":1}', 'PUT {"n":2}']);
    } finally {
      await wix.close();
    }
  });
});

describe('createWixAppClient: a token Wix refuses (401)', () => {
  it('drops the token, mints once, retries once and succeeds', async () => {
    const id = randomUUID();
    const { client, tokens } = build();
    await client.request(id, GET_INSTANCE);
    const revoked = await tokens.getToken(id);
    emulator.revokeToken(revoked);
    const requestsBefore = emulator.stats().requests;

    const body = await client.request<{ instance: { instanceId: string } }>(id, GET_INSTANCE);
    expect(body.instance.instanceId).toBe(id);
    expect(mints(id)).toBe(2);
    // The refused GET, one mint, one retried GET: nothing more.
    expect(emulator.stats().requests - requestsBefore).toBe(3);

    const replacement = await tokens.getToken(id);
    expect(replacement).not.toBe(revoked);
    expect(await memory.store.readAppToken(id)).not.toBeNull();
    // The next call uses the replacement directly.
    await client.request(id, GET_INSTANCE);
    expect(emulator.stats().requests - requestsBefore).toBe(4);
  });

  it('gives up with the mint’s error when the app was removed from the site, without looping', async () => {
    const id = randomUUID();
    const { client } = build();
    await client.request(id, GET_INSTANCE);
    emulator.setInstance(id, { removed: true }); // revokes its tokens; new mints get 403
    const requestsBefore = emulator.stats().requests;

    const error = await rejectionOf(client.request(id, GET_INSTANCE));
    expect(error).toBeInstanceOf(WixApiError);
    expect(error).toMatchObject({ kind: 'http', status: 403 });
    expect(emulator.stats().requests - requestsBefore).toBe(2); // the 401 GET and the 403 mint
    expect((error as WixApiError).code).toBe('wix_auth_failed');
  });

  it('fails with the second 401 when the fresh token is refused too, after exactly one retry', async () => {
    let minted = 0;
    const wix = await startTinyServer((request, res) => {
      if (request.path === '/oauth2/token') {
        minted++;
        sendJson(res, 200, { access_token: `token-${minted}`, expires_in: 14_400 });
      } else sendJson(res, 401, wixErrorBody('UNAUTHENTICATED'));
    });
    try {
      const { client } = build({ baseUrl: wix.url });
      const error = await rejectionOf(client.request(randomUUID(), GET_INSTANCE));
      expect(error).toMatchObject({ kind: 'http', status: 401 });
      expect(wix.requests.map((r) => [r.path, r.headers.authorization ?? null])).toEqual([
        ['/oauth2/token', null],
        ['/apps/v1/instance', 'token-1'],
        ['/oauth2/token', null],
        ['/apps/v1/instance', 'token-2'],
      ]);
    } finally {
      await wix.close();
    }
  });

  it('keeps the token after an error that is not a 401', async () => {
    const id = randomUUID();
    const { client, tokens } = build();
    const token = await tokens.getToken(id);
    emulator.setFaults({ status500: { count: 100 }, paths: ['/apps/v1/instance'] });
    const error = await rejectionOf(client.request(id, GET_INSTANCE));
    expect(error).toMatchObject({ status: 500 });
    expect(await tokens.getToken(id)).toBe(token);
    expect(mints(id)).toBe(1);
  });
});

describe('createWixAppClient: budget and rate limits', () => {
  it('consults the budget on every call and refuses the 4th of 3 per minute without calling Wix', async () => {
    const id = randomUUID();
    const { client } = build({
      budget: createInstanceBudget({ perMinute: 3, maxWaitMs: 0, now: clock.now }),
    });
    for (let i = 0; i < 3; i++) await client.request(id, GET_INSTANCE);
    const requestsBefore = emulator.stats().requests;

    const error = await rejectionOf(client.request(id, GET_INSTANCE));
    expect(error).toBeInstanceOf(WixApiError);
    expect(error).toMatchObject({ kind: 'budget' });
    // One call per 20 s at 3 per minute.
    expect((error as WixApiError).details.retryAfterSeconds).toBe(20);
    expect(emulator.stats().requests).toBe(requestsBefore);
    expect(apiCalls(id)).toBe(3);

    expect(error).toMatchObject({ code: 'wix_rate_limited', retryAfterSeconds: 20 });
    const response = toProblemResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('20');
  });

  it('counts the retry after a 401 against the budget too', async () => {
    const id = randomUUID();
    const { client, tokens } = build({
      budget: createInstanceBudget({ perMinute: 2, maxWaitMs: 0, now: clock.now }),
    });
    await client.request(id, GET_INSTANCE);
    emulator.revokeToken(await tokens.getToken(id));
    // The refused call and its retry would be calls 2 and 3: the retry finds the budget spent.
    const error = await rejectionOf(client.request(id, GET_INSTANCE));
    expect(error).toMatchObject({ kind: 'budget' });
  });

  it('gives up on a 429 storm after bounded tries, and the client sees 503 with Retry-After', async () => {
    const id = randomUUID();
    const { client, delays } = build();
    await client.request(id, GET_INSTANCE); // the token, before the storm
    const before = emulator.stats().faultsInjected.status429;
    emulator.setFaults({
      status429: { count: 1_000, retryAfterSeconds: 1 },
      paths: ['/apps/v1/instance'],
    });

    const error = await rejectionOf(client.request(id, GET_INSTANCE));
    expect(error).toBeInstanceOf(WixApiError);
    expect(error).toMatchObject({ kind: 'http', status: 429 });
    expect(emulator.stats().faultsInjected.status429 - before).toBe(WIX_MAX_ATTEMPTS);
    expect(delays).toEqual(Array(WIX_MAX_ATTEMPTS - 1).fill(1_000));

    expect(error).toMatchObject({ code: 'wix_rate_limited', retryAfterSeconds: 1 });
    const response = toProblemResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(mints(id)).toBe(1);
  });

  it('answers the emulator’s own per-instance limit (200 per minute) with a 429 error', async () => {
    const id = randomUUID();
    const { client } = build({
      // A budget above Wix's limit, to reach Wix's own 429.
      budget: createInstanceBudget({ perMinute: 1_000, burst: 1_000, now: clock.now }),
    });
    for (let i = 0; i < 200; i++) await client.request(id, GET_INSTANCE);
    const error = await rejectionOf(client.request(id, GET_INSTANCE));
    expect(error).toMatchObject({ kind: 'http', status: 429 });
    // The window frees its first slot 60 s after the first call, longer than the retry window.
    expect((error as WixApiError).details.retryAfterSeconds).toBe(60);
  });
});
