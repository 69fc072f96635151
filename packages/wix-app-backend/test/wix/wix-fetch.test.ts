import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WixEmulator } from '../../src/dev/wix-emulator';
import { problemStatus, toProblemResponse } from '../../src/http/problem';
import { AppError, isAppError } from '../../src/errors/app-error';
import {
  WIX_DEFAULT_RETRY_AFTER_SECONDS,
  WixApiError,
  type WixFailureKind,
} from '../../src/wix/wix-api-error';
import {
  createWixFetch,
  parseRetryAfter,
  WIX_BACKOFF_BASE_MS,
  WIX_MAX_ATTEMPTS,
  type WixFetchOptions,
} from '../../src/wix/wix-fetch';
import { WIX_REQUEST_TIMEOUT_MS, wixRetryWindowMs } from '../../src/wix/timeouts';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';
import {
  createClock,
  recordingSleep,
  rejectionOf,
  sendJson,
  startTestEmulator,
  startTinyServer,
  wixErrorBody,
  type Clock,
} from './wix-harness';

let emulator: WixEmulator;
let clock: Clock;
let slept: ReturnType<typeof recordingSleep>;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  clock = createClock();
  slept = recordingSleep(clock);
  emulator.resetStats();
});
afterEach(() => {
  emulator.clearFaults();
});

/** A wixFetch on the emulator whose waits are recorded and advance the clock instead of passing. */
const wixFetchOn = (baseUrl: string, options: Partial<WixFetchOptions> = {}) =>
  createWixFetch({ baseUrl, now: clock.now, sleep: slept.sleep, random: () => 0, ...options });

const mintRequest = (overrides: Record<string, unknown> = {}) => ({
  method: 'POST' as const,
  path: '/oauth2/token',
  body: {
    grant_type: 'client_credentials',
    client_id: TEST_APP_ID,
    client_secret: TEST_APP_SECRET,
    instance_id: randomUUID(),
    ...overrides,
  },
});

async function wixError(promise: Promise<unknown>): Promise<WixApiError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(WixApiError);
  return error as WixApiError;
}

describe('createWixFetch: answers', () => {
  it('sends the body as JSON and returns the parsed JSON answer with its status', async () => {
    const wixFetch = wixFetchOn(emulator.url);
    const minted = await wixFetch<{ access_token: string; expires_in: number }>(mintRequest());
    expect(minted.status).toBe(200);
    expect(minted.body).toEqual({
      access_token: expect.stringMatching(/^OauthNG\.JWS\./),
      token_type: 'Bearer',
      expires_in: 14_400,
    });

    // The token works: a GET with it as Authorization comes back as the emulator's instance.
    const instance = await wixFetch<{ instance: { appName: string } }>({
      path: '/apps/v1/instance',
      headers: { authorization: minted.body.access_token },
    });
    expect(instance.body.instance.appName).toBe('Emulated Wix App');
    expect(slept.delays).toEqual([]);
  });

  it('captures x-wix-request-id from a successful answer', async () => {
    const answer = await wixFetchOn(emulator.url)(mintRequest());
    expect(answer.requestId).toMatch(/^\d+\.\d+$/);
  });

  it('sends JSON content type and accept headers, and the caller’s own headers', async () => {
    const server = await startTinyServer((_request, res) => sendJson(res, 200, { ok: true }));
    try {
      await wixFetchOn(`${server.url}/`)({
        method: 'PUT',
        path: '/some/api',
        headers: { 'x-extra': 'yes' },
        body: { a: [1, 'two'] },
      });
      const [seen] = server.requests;
      expect(seen).toMatchObject({ method: 'PUT', path: '/some/api', body: '{"a":[1,"two"]}' });
      expect(seen?.headers).toMatchObject({
        accept: 'application/json',
        'content-type': 'application/json',
        'x-extra': 'yes',
      });
    } finally {
      await server.close();
    }
  });

  it('sends no body and no content type on a GET, and reads an empty 2xx body as null', async () => {
    const server = await startTinyServer((_request, res) => {
      res.writeHead(204);
      res.end();
    });
    try {
      const answer = await wixFetchOn(server.url)({ path: '/nothing' });
      expect(answer).toEqual({ status: 204, body: null, requestId: undefined });
      expect(server.requests[0]?.headers).not.toHaveProperty('content-type');
      expect(server.requests[0]?.body).toBe('');
    } finally {
      await server.close();
    }
  });

  it('refuses a 2xx answer that is not JSON, after one attempt', async () => {
    const server = await startTinyServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>captive portal</html>');
    });
    try {
      const error = await wixError(wixFetchOn(server.url)({ path: '/apps/v1/instance' }));
      expect(error.kind).toBe('http');
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('createWixFetch: final errors', () => {
  it('gives up on a 401 after one attempt, with Wix’s error code and request id', async () => {
    const error = await wixError(
      wixFetchOn(emulator.url)(mintRequest({ client_secret: 'not-the-secret' })),
    );
    expect(error.kind).toBe('http');
    expect(error.status).toBe(401);
    expect(error.details).toMatchObject({
      wixCode: 'INVALID_CLIENT',
      requestId: expect.stringMatching(/^\d+\.\d+$/),
      path: '/oauth2/token',
    });
    expect(emulator.stats().requests).toBe(1);
    expect(slept.delays).toEqual([]);
  });

  it.each([400, 403, 404, 409])('does not retry a %i', async (status) => {
    const server = await startTinyServer((_request, res) =>
      sendJson(res, status, wixErrorBody(`CODE_${status}`)),
    );
    try {
      const error = await wixError(wixFetchOn(server.url)({ path: '/x' }));
      expect(error.status).toBe(status);
      expect(error.details.wixCode).toBe(`CODE_${status}`);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('keeps the error without a Wix code when the error body is not Wix’s', async () => {
    const server = await startTinyServer((_request, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('bad request');
    });
    try {
      const error = await wixError(wixFetchOn(server.url)({ path: '/x' }));
      expect(error.status).toBe(400);
      expect(error.details.wixCode).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('createWixFetch: 429', () => {
  it('retries a 429 after the Retry-After it names, and succeeds', async () => {
    emulator.setFaults({ status429: { count: 2, retryAfterSeconds: 2 } });
    const answer = await wixFetchOn(emulator.url)(mintRequest());
    expect(answer.status).toBe(200);
    // Retry-After (2 s) is longer than the backoff (≤ 750 ms here), so it decides the wait.
    expect(slept.delays).toEqual([2_000, 2_000]);
    expect(emulator.stats().faultsInjected.status429).toBe(2);
    expect(emulator.stats().tokensMinted).toBe(1);
  });

  it(`tries at most WIX_MAX_ATTEMPTS (${WIX_MAX_ATTEMPTS}) times, then fails with status 429 and Retry-After`, async () => {
    emulator.setFaults({ status429: { count: 100, retryAfterSeconds: 1 } });
    const error = await wixError(wixFetchOn(emulator.url)(mintRequest()));
    expect(error.kind).toBe('http');
    expect(error.status).toBe(429);
    expect(error.details).toMatchObject({ retryAfterSeconds: 1, wixCode: 'RATE_LIMIT_EXCEEDED' });
    expect(emulator.stats().requests).toBe(WIX_MAX_ATTEMPTS);
    expect(slept.delays).toHaveLength(WIX_MAX_ATTEMPTS - 1);
    expect(emulator.stats().tokensMinted).toBe(0);
  });

  it('gives up at once when Retry-After is longer than the retry window, keeping the Retry-After', async () => {
    emulator.setFaults({ status429: { count: 100, retryAfterSeconds: 30 } });
    const error = await wixError(wixFetchOn(emulator.url)(mintRequest()));
    expect(error.status).toBe(429);
    expect(error.details.retryAfterSeconds).toBe(30);
    expect(emulator.stats().requests).toBe(1);
    expect(slept.delays).toEqual([]);
  });

  it('stops retrying once the next wait would end past the retry window', async () => {
    // 6 s fits the 10 s window once (0 + 6), not twice (6 + 6 > 10).
    expect(wixRetryWindowMs(WIX_REQUEST_TIMEOUT_MS)).toBe(10_000);
    emulator.setFaults({ status429: { count: 100, retryAfterSeconds: 6 } });
    const error = await wixError(wixFetchOn(emulator.url)(mintRequest()));
    expect(error.details.retryAfterSeconds).toBe(6);
    expect(slept.delays).toEqual([6_000]);
    expect(emulator.stats().requests).toBe(2);
  });

  it('takes the retry window from timeoutMs when none is given: twice it', async () => {
    // 3 s fits the 4 s window of a 2 s timeout once (0 + 3), not twice (3 + 3 > 4).
    emulator.setFaults({ status429: { count: 100, retryAfterSeconds: 3 } });
    const error = await wixError(wixFetchOn(emulator.url, { timeoutMs: 2_000 })(mintRequest()));
    expect(error.details.retryAfterSeconds).toBe(3);
    expect(slept.delays).toEqual([3_000]);
    expect(emulator.stats().requests).toBe(2);
  });

  it('honours an HTTP-date Retry-After', async () => {
    let answered = 0;
    const server = await startTinyServer((_request, res) => {
      answered++;
      if (answered === 1) {
        const in3s = new Date(clock.now() + 3_000).toUTCString();
        sendJson(res, 429, wixErrorBody('RATE_LIMIT_EXCEEDED'), { 'retry-after': in3s });
      } else sendJson(res, 200, { ok: true });
    });
    try {
      await wixFetchOn(server.url)({ path: '/x' });
      expect(slept.delays).toEqual([3_000]);
    } finally {
      await server.close();
    }
  });
});

describe('createWixFetch: 5xx, dropped connections and timeouts', () => {
  it('retries a 500 with backoff and succeeds', async () => {
    emulator.setFaults({ status500: { count: 2 } });
    const answer = await wixFetchOn(emulator.url)(mintRequest());
    expect(answer.status).toBe(200);
    expect(slept.delays).toEqual([WIX_BACKOFF_BASE_MS * 0.5, WIX_BACKOFF_BASE_MS]);
    expect(emulator.stats().requests).toBe(3);
  });

  it('fails with status 500 and Wix’s code when every try answers 500', async () => {
    emulator.setFaults({ status500: { count: 100 } });
    const error = await wixError(wixFetchOn(emulator.url)(mintRequest()));
    expect(error.kind).toBe('http');
    expect(error.status).toBe(500);
    expect(error.details.wixCode).toBe('INTERNAL_ERROR');
    expect(emulator.stats().requests).toBe(WIX_MAX_ATTEMPTS);
  });

  it('retries a dropped connection and succeeds', async () => {
    emulator.setFaults({ drop: { count: 1 } });
    const answer = await wixFetchOn(emulator.url)(mintRequest());
    expect(answer.status).toBe(200);
    expect(emulator.stats().faultsInjected.dropped).toBe(1);
    expect(slept.delays).toHaveLength(1);
  });

  it('fails with kind network when every connection is dropped', async () => {
    emulator.setFaults({ drop: { count: 100 } });
    const error = await wixError(wixFetchOn(emulator.url)(mintRequest()));
    expect(error.kind).toBe('network');
    expect(error.status).toBeUndefined();
    expect(error.details.path).toBe('/oauth2/token');
    expect(emulator.stats().faultsInjected.dropped).toBe(WIX_MAX_ATTEMPTS);
  });

  it('fails with kind network when nothing listens', async () => {
    const error = await wixError(wixFetchOn('http://127.0.0.1:9')({ path: '/x' }));
    expect(error.kind).toBe('network');
    expect(slept.delays).toHaveLength(WIX_MAX_ATTEMPTS - 1);
  });

  it('fails with kind timeout when Wix answers slower than timeoutMs, within bounded time', async () => {
    emulator.setFaults({ latencyMs: 5_000 });
    const started = performance.now();
    // A window wide enough for every try (by default it would be twice the timeout).
    const error = await wixError(
      wixFetchOn(emulator.url, { timeoutMs: 100, retryWindowMs: 10_000 })(mintRequest()),
    );
    const elapsed = performance.now() - started;
    expect(error.kind).toBe('timeout');
    expect(emulator.stats().faultsInjected.latency).toBe(WIX_MAX_ATTEMPTS);
    // Three 100 ms attempts (the waits between them are recorded, not slept).
    expect(elapsed).toBeGreaterThanOrEqual(WIX_MAX_ATTEMPTS * 100 - 20);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('ends the whole call within the retry window, however long the per-try timeout', async () => {
    emulator.setFaults({ latencyMs: 5_000 });
    const started = performance.now();
    const error = await wixError(
      createWixFetch({ baseUrl: emulator.url, timeoutMs: 5_000, retryWindowMs: 300 })(
        mintRequest(),
      ),
    );
    const elapsed = performance.now() - started;
    expect(error.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(300 + 500); // scheduling slack on a busy machine
  });

  it('cuts a retry’s timeout to the time left in the window', async () => {
    emulator.setFaults({ latencyMs: 5_000 });
    const started = performance.now();
    await wixError(
      createWixFetch({
        baseUrl: emulator.url,
        timeoutMs: 200,
        retryWindowMs: 700,
        backoffBaseMs: 10,
        maxAttempts: 100,
      })(mintRequest()),
    );
    const elapsed = performance.now() - started;
    // Several tries (200 ms each, then whatever is left), none started too close to the end.
    expect(emulator.stats().faultsInjected.latency).toBeGreaterThanOrEqual(2);
    expect(elapsed).toBeLessThan(700 + 500);
  });

  it('counts a body that stalls after the headers as a timeout', async () => {
    const server = await startTinyServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
      // …and never ends: the server closes the socket in close().
    });
    try {
      const started = performance.now();
      const error = await wixError(
        wixFetchOn(server.url, { timeoutMs: 100, maxAttempts: 1 })({ path: '/x' }),
      );
      expect(error.kind).toBe('timeout');
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await server.close();
    }
  });
});

describe('createWixFetch: backoff', () => {
  it('waits base·2^(n-1) × [0.5, 1.5) before try n+1, at both ends of the jitter', async () => {
    const failing = await startTinyServer((_request, res) =>
      sendJson(res, 503, wixErrorBody('UNAVAILABLE')),
    );
    try {
      const run = async (random: () => number) => {
        const waits = recordingSleep();
        await rejectionOf(
          createWixFetch({
            baseUrl: failing.url,
            maxAttempts: 5,
            retryWindowMs: 60_000,
            sleep: waits.sleep,
            random,
          })({ path: '/x' }),
        );
        return waits.delays;
      };
      const base = WIX_BACKOFF_BASE_MS;
      expect(await run(() => 0)).toEqual([0.5 * base, base, 2 * base, 4 * base]);
      const top = await run(() => 0.999_999);
      top.forEach((delay, i) => {
        expect(delay).toBeLessThan(1.5 * base * 2 ** i);
        expect(delay).toBeGreaterThan(1.49 * base * 2 ** i);
      });

      // With the real Math.random every wait stays inside its band.
      for (let call = 0; call < 20; call++) {
        (await run(Math.random)).forEach((delay, i) => {
          expect(delay).toBeGreaterThanOrEqual(0.5 * base * 2 ** i);
          expect(delay).toBeLessThan(1.5 * base * 2 ** i);
        });
      }
    } finally {
      await failing.close();
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 2, 1, 12, 0, 0);

  it.each([
    ['120', 120],
    [' 7 ', 7],
    ['0', 0],
  ])('reads delta-seconds %j as %i', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it('reads an HTTP date as the seconds from now until then, rounded up', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now + 500)).toBe(30);
  });

  it('reads an HTTP date in the past as 0', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it.each([null, '', 'soon', 'Sunday-ish'])('reads %j as absent', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('WixApiError: the code and retry time it picks', () => {
  const cases: Array<{
    name: string;
    kind: WixFailureKind;
    details?: ConstructorParameters<typeof WixApiError>[1];
    code: string;
    status: number;
    retryAfter: string | null;
  }> = [
    { name: 'a timeout', kind: 'timeout', code: 'wix_timeout', status: 504, retryAfter: null },
    {
      name: 'a network failure',
      kind: 'network',
      code: 'wix_unavailable',
      status: 502,
      retryAfter: '5',
    },
    {
      name: 'a 429 with Retry-After',
      kind: 'http',
      details: { status: 429, retryAfterSeconds: 12 },
      code: 'wix_rate_limited',
      status: 503,
      retryAfter: '12',
    },
    {
      name: 'a 429 without Retry-After',
      kind: 'http',
      details: { status: 429 },
      code: 'wix_rate_limited',
      status: 503,
      retryAfter: '5',
    },
    {
      name: 'a spent budget',
      kind: 'budget',
      details: { retryAfterSeconds: 20 },
      code: 'wix_rate_limited',
      status: 503,
      retryAfter: '20',
    },
    {
      name: 'a budget wait under a second',
      kind: 'budget',
      details: { retryAfterSeconds: 0.2 },
      code: 'wix_rate_limited',
      status: 503,
      retryAfter: '1',
    },
    {
      name: 'a 401',
      kind: 'http',
      details: { status: 401 },
      code: 'wix_auth_failed',
      status: 502,
      retryAfter: null,
    },
    {
      name: 'a 403',
      kind: 'http',
      details: { status: 403 },
      code: 'wix_auth_failed',
      status: 502,
      retryAfter: null,
    },
    {
      name: 'a 500',
      kind: 'http',
      details: { status: 500 },
      code: 'wix_unavailable',
      status: 502,
      retryAfter: '5',
    },
    {
      name: 'a 503 with Retry-After',
      kind: 'http',
      details: { status: 503, retryAfterSeconds: 2 },
      code: 'wix_unavailable',
      status: 502,
      retryAfter: '2',
    },
    {
      name: 'a 404',
      kind: 'http',
      details: { status: 404 },
      code: 'wix_error',
      status: 502,
      retryAfter: null,
    },
    {
      name: 'a 400',
      kind: 'http',
      details: { status: 400 },
      code: 'wix_error',
      status: 502,
      retryAfter: null,
    },
    {
      name: 'an http error without a status',
      kind: 'http',
      code: 'wix_error',
      status: 502,
      retryAfter: null,
    },
  ];

  it.each(cases)(
    'maps $name to $code ($status), Retry-After $retryAfter',
    ({ kind, details, code, status, retryAfter }) => {
      const error = new WixApiError(kind, details);
      expect(error).toBeInstanceOf(AppError);
      expect(isAppError(error)).toBe(true);
      expect(error.code).toBe(code);
      expect(problemStatus(error.code)).toBe(status);
      expect(error.retryAfterSeconds).toBe(
        retryAfter === null
          ? undefined
          : (details?.retryAfterSeconds ?? WIX_DEFAULT_RETRY_AFTER_SECONDS),
      );
      const response = toProblemResponse(error);
      expect(response.status).toBe(status);
      expect(response.headers.get('retry-after')).toBe(retryAfter);
    },
  );

  it('names Wix’s request id in the detail, and never Wix’s own message or code', async () => {
    const error = new WixApiError(
      'http',
      { status: 400, wixCode: 'SECRET_INTERNAL_CODE', requestId: '1700000000.99' },
      'internal message with a token OauthNG.JWS.x.y.z',
    );
    expect(error.detail).toContain('1700000000.99');
    expect(error.detail).not.toContain('SECRET_INTERNAL_CODE');
    expect(error.detail).not.toContain('OauthNG');
    // The message is the log's version; the client gets only the detail.
    expect(error.message).toBe('internal message with a token OauthNG.JWS.x.y.z');
    const body = await toProblemResponse(error).text();
    expect(body).toContain('1700000000.99');
    expect(body).not.toContain('SECRET_INTERNAL_CODE');
    expect(body).not.toContain('OauthNG');
  });
});

describe('isWixApiError across bundle copies', () => {
  it('recognises a WixApiError from another copy of the module', async () => {
    const { isWixApiError } = await import('../../src/wix/wix-api-error');
    vi.resetModules();
    const other = await import('../../src/wix/wix-api-error');
    const error = new other.WixApiError('timeout', { path: '/x' });
    expect(isWixApiError(error)).toBe(true);
    expect(isWixApiError(new Error('x'))).toBe(false);
  });
});
