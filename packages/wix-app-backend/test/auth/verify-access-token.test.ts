import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WidgetTokenOptions, WixEmulator } from '../../src/dev/wix-emulator';
import { siteIdFor } from '../../src/dev/wix-emulator/instances';
import {
  createAccessTokenVerifier,
  TOKEN_INFO_CACHE_MAX_SECONDS,
  TOKEN_INFO_MAX_CONCURRENT,
  TOKEN_INFO_REFUSAL_CACHE_SECONDS,
  type VerifyAccessTokenResult,
} from '../../src/auth/verify-access-token';
import {
  createTokenInfoGuard,
  TOKEN_INFO_OVERALL_BURST,
  TOKEN_INFO_PER_CLIENT_BURST,
  TOKEN_INFO_RESERVED_SHARE,
  TOKEN_INFO_UNRECOGNISED_BURST,
  type TokenInfoGuard,
} from '../../src/auth/token-info-guard';
import { createKnownInstances, type KnownInstances } from '../../src/auth/token-standing';
import { TOKEN_INFO_BREAKER_SECONDS } from '../../src/wix/timeouts';
import { createWixFetch, type WixFetch } from '../../src/wix/wix-fetch';
import { OTHER_APP_ID, TEST_APP_ID } from '../../src/testing/test-credentials';
import {
  createClock,
  recordingSleep,
  sendJson,
  startTestEmulator,
  startTinyServer,
  wixErrorBody,
  type Clock,
} from '../wix/wix-harness';

const SECOND = 1_000;

/** Our clock and Wix's, advanced together unless a test means them to disagree. */
let ours: Clock;
let wixClock: Clock;
let emulator: WixEmulator;

beforeAll(async () => {
  ours = createClock();
  wixClock = createClock();
  emulator = await startTestEmulator({ now: () => wixClock.now() });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  ours.set(wixClock.now());
  emulator.clearFaults();
  emulator.resetStats();
});

const advance = (ms: number) => {
  ours.advance(ms);
  wixClock.advance(ms);
};

function wixFetchFor(baseUrl: string): WixFetch {
  // As the app builds it for Token Info: two tries (the wait between them recorded, not slept).
  return createWixFetch({ baseUrl, maxAttempts: 2, sleep: recordingSleep().sleep });
}

function verifier(
  options: {
    baseUrl?: string;
    maxEntries?: number;
    guard?: TokenInfoGuard;
    knownInstances?: KnownInstances;
  } = {},
) {
  return createAccessTokenVerifier({
    appId: TEST_APP_ID,
    wixFetch: wixFetchFor(options.baseUrl ?? emulator.url),
    now: ours.now,
    maxEntries: options.maxEntries,
    guard: options.guard ?? createTokenInfoGuard({ now: ours.now }),
    knownInstances: options.knownInstances,
  });
}

/** Budgets no test here reaches (for tests about something else). */
const plentyGuard = () =>
  createTokenInfoGuard({
    now: ours.now,
    perClient: { burst: 1e6, perMinute: 1e9 },
    overall: { burst: 1e6, perMinute: 1e9 },
    unrecognised: { burst: 1e6, perMinute: 1e9 },
  });

/** Past the breaker's window after an outage. */
const afterBreaker = () => advance(TOKEN_INFO_BREAKER_SECONDS * 1000);

const widgetToken = (options: Partial<WidgetTokenOptions> = {}) =>
  emulator.issueWidgetToken({ instanceId: randomUUID(), ...options });
const calls = () => emulator.stats().tokenInfoCalls;

function expectRefused(result: VerifyAccessTokenResult, reason: string) {
  expect(result).toMatchObject({ ok: false, reason });
}

describe('createAccessTokenVerifier: what Token Info says', () => {
  it('accepts a widget token of our app, with its instance, subject, site and expiry', async () => {
    const instanceId = randomUUID();
    const token = widgetToken({
      instanceId,
      subjectType: 'USER',
      subjectId: 'user-9',
      ttlSeconds: 3_600,
    });
    expect(await verifier()(token)).toEqual({
      ok: true,
      value: {
        instanceId,
        subjectType: 'USER',
        subjectId: 'user-9',
        siteId: siteIdFor(instanceId),
        expiresAt: new Date(Math.floor(wixClock.now() / SECOND) * SECOND + 3_600 * SECOND),
      },
    });
    expect(calls()).toBe(1);
  });

  it.each(['VISITOR', 'MEMBER', 'APP'] as const)(
    'reports a %s subject as such',
    async (subject) => {
      const result = await verifier()(widgetToken({ subjectType: subject }));
      expect(result).toMatchObject({ ok: true, value: { subjectType: subject } });
    },
  );

  it('accepts Token Info answers written as strings, as in Wix’s own example', async () => {
    const stringy = await startTestEmulator({ tokenInfoStyle: 'strings', now: wixClock.now });
    try {
      const instanceId = randomUUID();
      const token = stringy.issueWidgetToken({ instanceId, ttlSeconds: 600 });
      const result = await verifier({ baseUrl: stringy.url })(token);
      expect(result).toMatchObject({ ok: true, value: { instanceId } });
      if (!result.ok) return;
      expect(result.value.expiresAt?.getTime()).toBe(
        Math.floor(wixClock.now() / SECOND) * SECOND + 600 * SECOND,
      );

      // And "false" means false: an unknown token is refused.
      expectRefused(await verifier({ baseUrl: stringy.url })('OauthNG.JWS.a.b.c'), 'invalid_token');
    } finally {
      await stringy.close();
    }
  });

  it('refuses another app’s token as wrong_app, although Token Info calls it active', async () => {
    expectRefused(await verifier()(widgetToken({ clientId: OTHER_APP_ID })), 'wrong_app');
  });

  it('refuses an inactive token', async () => {
    expectRefused(await verifier()(widgetToken({ active: false })), 'invalid_token');
  });

  it('refuses a revoked token', async () => {
    const token = widgetToken();
    emulator.revokeToken(token);
    expectRefused(await verifier()(token), 'invalid_token');
  });

  it('refuses a token Wix never issued', async () => {
    expectRefused(await verifier()(`OauthNG.JWS.${randomUUID()}.x.y`), 'invalid_token');
  });

  it('refuses a token whose Token Info carries no instanceId', async () => {
    expectRefused(await verifier()(widgetToken({ omitInstanceId: true })), 'invalid_token');
  });

  it('refuses a token Token Info answers with a 4xx', async () => {
    const wix = await startTinyServer((_request, res) =>
      sendJson(res, 400, wixErrorBody('INVALID_ARGUMENT')),
    );
    try {
      expectRefused(await verifier({ baseUrl: wix.url })('a.b.c'), 'invalid_token');
      expect(wix.requests).toHaveLength(1);
    } finally {
      await wix.close();
    }
  });
});

describe('createAccessTokenVerifier: caching', () => {
  it('asks Token Info once for 50 concurrent and then 50 sequential checks of one token', async () => {
    const verify = verifier();
    const token = widgetToken({ subjectType: 'USER' });
    const concurrent = await Promise.all(Array.from({ length: 50 }, () => verify(token)));
    for (let i = 0; i < 50; i++) concurrent.push(await verify(token));
    expect(concurrent.every((result) => result.ok)).toBe(true);
    expect(calls()).toBe(1);
  });

  it('shares one introspection between concurrent checks of one unknown token', async () => {
    const verify = verifier();
    const results = await Promise.all(Array.from({ length: 20 }, () => verify('x.y.z')));
    expect(results.every((result) => !result.ok && result.reason === 'invalid_token')).toBe(true);
    expect(calls()).toBe(1);
  });

  it('keeps separate verifiers’ caches separate', async () => {
    const token = widgetToken();
    await verifier()(token);
    await verifier()(token);
    expect(calls()).toBe(2);
  });

  it(`remembers a refusal for TOKEN_INFO_REFUSAL_CACHE_SECONDS (${TOKEN_INFO_REFUSAL_CACHE_SECONDS} s)`, async () => {
    const verify = verifier();
    const token = widgetToken({ clientId: OTHER_APP_ID });
    expectRefused(await verify(token), 'wrong_app');
    advance(TOKEN_INFO_REFUSAL_CACHE_SECONDS * SECOND - 1);
    expectRefused(await verify(token), 'wrong_app');
    expect(calls()).toBe(1);
    advance(1);
    expectRefused(await verify(token), 'wrong_app');
    expect(calls()).toBe(2);
  });

  it(`remembers an acceptance for TOKEN_INFO_CACHE_MAX_SECONDS (${TOKEN_INFO_CACHE_MAX_SECONDS} s) when the token lives longer`, async () => {
    const verify = verifier();
    const token = widgetToken({ ttlSeconds: 3_600 });
    await verify(token);
    advance(TOKEN_INFO_CACHE_MAX_SECONDS * SECOND - 1);
    expect((await verify(token)).ok).toBe(true);
    expect(calls()).toBe(1);
    advance(1);
    expect((await verify(token)).ok).toBe(true);
    expect(calls()).toBe(2);
  });

  it('does not accept a token from the cache once it has expired', async () => {
    const verify = verifier();
    // Issued on a whole second, so its expiry is exactly 60 s away.
    wixClock.set(Math.ceil(wixClock.now() / SECOND) * SECOND);
    ours.set(wixClock.now());
    const token = widgetToken({ ttlSeconds: 60 });
    expect((await verify(token)).ok).toBe(true);
    advance(60 * SECOND - 1);
    expect((await verify(token)).ok).toBe(true);
    expect(calls()).toBe(1);
    advance(1);
    expectRefused(await verify(token), 'invalid_token');
  });

  it('refuses a token Token Info still calls active once its exp has passed by our clock', async () => {
    const verify = verifier();
    const token = widgetToken({ ttlSeconds: 60 });
    ours.advance(61 * SECOND); // Wix's clock lags behind ours
    const result = await verify(token);
    expectRefused(result, 'invalid_token');
    expect(result).toMatchObject({ detail: 'token has expired' });
    // …and remembers that briefly, like any refusal.
    await verify(token);
    expect(calls()).toBe(1);
  });

  it('keeps at most maxEntries results, forgetting the least recently used', async () => {
    const verify = verifier({ maxEntries: 3 });
    const tokens = Array.from({ length: 4 }, () => widgetToken());
    for (const token of tokens) await verify(token);
    expect(calls()).toBe(4);
    // The three most recent are still cached…
    for (const token of tokens.slice(1).reverse()) await verify(token);
    expect(calls()).toBe(4);
    // …the first is not.
    await verify(tokens[0]!);
    expect(calls()).toBe(5);
  });

  it('stays within maxEntries however many distinct tokens arrive', async () => {
    const verify = verifier({ maxEntries: 5, guard: plentyGuard() });
    const tokens = Array.from({ length: 30 }, (_, i) => `OauthNG.JWS.unknown-${i}.x.y`);
    for (const token of tokens) await verify(token);
    expect(calls()).toBe(30);
    // Only the last five are remembered: re-checking all 30 asks again for exactly 25…
    for (const token of tokens.slice(-5)) await verify(token);
    expect(calls()).toBe(30);
    for (const token of tokens.slice(0, 25)) await verify(token);
    expect(calls()).toBe(55);
  });
});

describe('createAccessTokenVerifier: Token Info outages', () => {
  it('answers token_info_unavailable when Token Info cannot be reached', async () => {
    const down = await startTestEmulator();
    const token = down.issueWidgetToken({ instanceId: randomUUID() });
    await down.close();
    expectRefused(await verifier({ baseUrl: down.url })(token), 'token_info_unavailable');
  });

  it('does not remember an outage: the next check after recovery succeeds', async () => {
    const verify = verifier();
    const token = widgetToken();
    emulator.setFaults({ status500: { count: 2 } });
    expectRefused(await verify(token), 'token_info_unavailable');
    expect(emulator.stats().faultsInjected.status500).toBe(2); // both tries
    afterBreaker();
    expect((await verify(token)).ok).toBe(true);
    expect(calls()).toBe(1);
  });

  it('treats a 429 from Token Info as an outage, not a refusal', async () => {
    const verify = verifier();
    const token = widgetToken();
    emulator.setFaults({ status429: { count: 2, retryAfterSeconds: 1 } });
    expectRefused(await verify(token), 'token_info_unavailable');
    afterBreaker();
    expect((await verify(token)).ok).toBe(true);
  });

  it('treats dropped connections as an outage', async () => {
    const verify = verifier();
    const token = widgetToken();
    emulator.setFaults({ drop: { count: 2 } });
    expectRefused(await verify(token), 'token_info_unavailable');
    afterBreaker();
    expect((await verify(token)).ok).toBe(true);
  });

  it('treats an answer of an unexpected shape as an outage, not cached', async () => {
    let answers = 0;
    const wix = await startTinyServer((_request, res) => {
      answers++;
      sendJson(res, 200, answers === 1 ? { surprise: true } : { active: false });
    });
    try {
      const verify = verifier({ baseUrl: wix.url });
      expectRefused(await verify('a.b.c'), 'token_info_unavailable');
      afterBreaker();
      expectRefused(await verify('a.b.c'), 'invalid_token');
      expect(wix.requests).toHaveLength(2);
    } finally {
      await wix.close();
    }
  });
});

describe('createAccessTokenVerifier: what unknown tokens may cost (budgets, breaker)', () => {
  const garbage = (i: number) => `OauthNG.JWS.garbage-${i}-${randomUUID()}.x.y`;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  /** Made to look like Wix's (a JWS naming an instance), and a forgery all the same. */
  const forged = (instanceId: string = randomUUID()) =>
    `OauthNG.JWS.${b64({ alg: 'RS256' })}.${b64({ data: { instanceId } })}.${randomUUID()}`;
  /** What tokens naming no known instance must leave of the overall burst. */
  const keptForKnown = Math.floor(TOKEN_INFO_OVERALL_BURST * TOKEN_INFO_RESERVED_SHARE.plausible);

  it('asks Token Info for a few of 500 distinct garbage tokens (their own small budget), then answers 429', async () => {
    const verify = verifier();
    const results = [];
    for (let i = 0; i < 500; i++) results.push(await verify(garbage(i)));
    expect(calls()).toBe(TOKEN_INFO_UNRECOGNISED_BURST);
    const limited = results.filter((r) => !r.ok && r.reason === 'too_many_requests');
    expect(limited).toHaveLength(500 - TOKEN_INFO_UNRECOGNISED_BURST);
    expect(limited[0]).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  });

  it('admits new Wix-shaped tokens through a flood of garbage', async () => {
    const verify = verifier();
    for (let i = 0; i < 500; i++) await verify(garbage(i));
    for (let i = 0; i < 10; i++) expect((await verify(widgetToken())).ok).toBe(true);
  });

  it('asks Token Info for at most the overall burst, less the share kept for known sites, for 500 forgeries', async () => {
    const verify = verifier();
    const results = [];
    for (let i = 0; i < 500; i++) results.push(await verify(forged()));
    expect(calls()).toBe(TOKEN_INFO_OVERALL_BURST - keptForKnown);
    const limited = results.filter((r) => !r.ok && r.reason === 'too_many_requests');
    expect(limited).toHaveLength(500 - calls());
  });

  it('admits new tokens of an instance it has verified through a flood of forgeries', async () => {
    const knownInstances = createKnownInstances({ now: ours.now });
    const verify = verifier({ knownInstances });
    const instanceId = randomUUID();
    knownInstances.remember(instanceId); // say, the owner opened the dashboard (a signed instance)
    for (let i = 0; i < 500; i++) await verify(forged());
    expectRefused(await verify(widgetToken()), 'too_many_requests'); // an unknown site waits
    for (let i = 0; i < keptForKnown; i++) {
      expect((await verify(widgetToken({ instanceId }))).ok).toBe(true);
    }
    expectRefused(await verify(widgetToken({ instanceId })), 'too_many_requests');
  });

  it('learns an instance from a token Token Info accepted', async () => {
    const knownInstances = createKnownInstances({ now: ours.now });
    const verify = verifier({ knownInstances });
    const instanceId = randomUUID();
    expect((await verify(widgetToken({ instanceId }))).ok).toBe(true);
    expect(knownInstances.has(instanceId)).toBe(true);
    expect((await verify(forged())).ok).toBe(false);
    expect(knownInstances.has(randomUUID())).toBe(false);
  });

  it('keeps a budget per client address, so one address cannot spend another’s', async () => {
    const verify = verifier();
    for (let i = 0; i < 100; i++) await verify(forged(), '203.0.113.7');
    expect(calls()).toBe(TOKEN_INFO_PER_CLIENT_BURST);
    const other = await verify(widgetToken(), '198.51.100.2');
    expect(other.ok).toBe(true);
  });

  it('refills a budget with time', async () => {
    const verify = verifier();
    for (let i = 0; i < TOKEN_INFO_OVERALL_BURST + 5; i++) await verify(forged());
    expectRefused(await verify(widgetToken()), 'too_many_requests');
    advance(60_000);
    expect((await verify(widgetToken())).ok).toBe(true);
  });

  it('never budgets a token it already knows: cached answers cost nothing', async () => {
    const verify = verifier();
    const known = widgetToken();
    expect((await verify(known)).ok).toBe(true);
    for (let i = 0; i < TOKEN_INFO_OVERALL_BURST + 5; i++) await verify(forged());
    for (let i = 0; i < 50; i++) expect((await verify(known)).ok).toBe(true);
    expect(calls()).toBe(TOKEN_INFO_OVERALL_BURST - keptForKnown);
  });

  it('costs Wix a handful of calls, not two per request, for 50 requests during an outage', async () => {
    const verify = verifier();
    emulator.setFaults({ status500: { count: 10_000 }, paths: ['/oauth2/token-info'] });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => verify(garbage(i))));
    // Every one refused: unavailable, or past the budget (which a burst of 50 reaches too).
    for (const result of results) {
      expect(result.ok ? 'accepted' : result.reason).toMatch(
        /^(token_info_unavailable|too_many_requests)$/,
      );
    }
    const sent = emulator.stats().faultsInjected.status500;
    // At most TOKEN_INFO_MAX_CONCURRENT checks in flight, two tries each, before the breaker opens.
    expect(sent).toBeLessThanOrEqual(TOKEN_INFO_MAX_CONCURRENT * 2);
    for (let i = 0; i < 50; i++) await verify(garbage(100 + i));
    expect(emulator.stats().faultsInjected.status500).toBe(sent);
  });

  it(`never has more than TOKEN_INFO_MAX_CONCURRENT (${TOKEN_INFO_MAX_CONCURRENT}) Token Info requests open at once`, async () => {
    // A slow Token Info behind a proxy that counts the requests open at the same moment.
    emulator.setFaults({ latencyMs: 150, paths: ['/oauth2/token-info'] });
    let open = 0;
    let peak = 0;
    const proxy = await startTinyServer((seen, res) => {
      open++;
      peak = Math.max(peak, open);
      void fetch(`${emulator.url}${seen.path}`, {
        method: seen.method,
        headers: { 'content-type': 'application/json' },
        body: seen.body,
      })
        .then(async (answer) => sendJson(res, answer.status, await answer.json()))
        .finally(() => open--);
    });
    try {
      const verify = verifier({ baseUrl: proxy.url, guard: plentyGuard() });
      const tokens = Array.from({ length: 3 * TOKEN_INFO_MAX_CONCURRENT }, () => widgetToken());
      const results = await Promise.all(tokens.map((token) => verify(token)));
      expect(results.every((result) => result.ok)).toBe(true);
      expect(proxy.requests).toHaveLength(tokens.length);
      expect(peak).toBeLessThanOrEqual(TOKEN_INFO_MAX_CONCURRENT);
      expect(peak).toBeGreaterThan(1); // they did overlap: the measure measured something
    } finally {
      await proxy.close();
    }
  });

  it('spends one unit for concurrent checks of one unknown token', async () => {
    const verify = verifier({
      guard: createTokenInfoGuard({ now: ours.now, overall: { burst: 1, perMinute: 1e-9 } }),
    });
    const token = widgetToken();
    const results = await Promise.all(Array.from({ length: 5 }, () => verify(token)));
    expect(results.map((result) => result.ok)).toEqual([true, true, true, true, true]);
    expect(calls()).toBe(1);
    expectRefused(await verify(widgetToken()), 'too_many_requests');
  });

  it('spends no budget on unknown tokens refused while the breaker is open', async () => {
    const verify = verifier({
      guard: createTokenInfoGuard({ now: ours.now, overall: { burst: 2, perMinute: 1e-9 } }),
    });
    emulator.setFaults({ status500: { count: 2 }, paths: ['/oauth2/token-info'] });
    expectRefused(await verify(garbage(1)), 'token_info_unavailable'); // the first unit
    for (let i = 0; i < 10; i++) {
      expectRefused(await verify(garbage(100 + i)), 'token_info_unavailable');
    }
    afterBreaker();
    expect((await verify(widgetToken())).ok).toBe(true); // the second unit, still there
    expectRefused(await verify(widgetToken()), 'too_many_requests');
  });

  it('names the seconds to wait when a client is past its budget', async () => {
    const verify = verifier({
      guard: createTokenInfoGuard({
        now: ours.now,
        perClient: { burst: 1, perMinute: 6 },
        overall: { burst: 1e6, perMinute: 1e9 },
      }),
    });
    expect((await verify(widgetToken(), '203.0.113.7')).ok).toBe(true);
    const refused = await verify(widgetToken(), '203.0.113.7');
    expect(refused).toMatchObject({
      ok: false,
      reason: 'too_many_requests',
      retryAfterSeconds: 10,
    });
    expect(calls()).toBe(1);
  });

  it('probes once the breaker window is over, and closes it on an answer', async () => {
    const verify = verifier();
    emulator.setFaults({ status500: { count: 2 }, paths: ['/oauth2/token-info'] });
    expectRefused(await verify(garbage(1)), 'token_info_unavailable');
    const refused = await verify(widgetToken());
    expectRefused(refused, 'token_info_unavailable');
    expect(!refused.ok && refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(calls()).toBe(0);
    afterBreaker();
    expect((await verify(widgetToken())).ok).toBe(true);
    expect((await verify(widgetToken())).ok).toBe(true);
    expect(calls()).toBe(2);
  });
});
