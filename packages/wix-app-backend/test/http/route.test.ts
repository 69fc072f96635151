import { describe, expect, it, vi } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context';
import { createWixApp } from '../../src/create-wix-app';
import { json, type RouteHandler } from '../../src/http/route';
import { DATABASE_RETRY_AFTER_SECONDS, DatabaseUnavailableError } from '../../src/db/errors';
import { AppError } from '../../src/errors/app-error';
import { createLogger } from '../../src/log';
import { WixApiError } from '../../src/wix/wix-api-error';
import { expectProblem, TEST_APP_ID, testAppConfig, testRequest } from '../../src/testing';

const wixApp = createWixApp({ publicPaths: ['/api/health'] });
const { route, publicRoute, serverRoute } = wixApp;

/** What the app logged, one JSON line each (LOG_LEVEL is silent in tests; this is not). */
const logged: string[] = [];
const app: AppContext = createAppContext(testAppConfig(), {
  log: createLogger('debug', (line) => logged.push(line)),
});
const failures = () =>
  logged
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((l) => l.event === 'request_failed');
const throwing = (error: unknown) =>
  route(() => {
    throw error;
  }).withContext(app)(testRequest('/api/things'));

describe('route wrappers: what a handler throws', () => {
  it.each([
    ['not_found', 404],
    ['caller_not_allowed', 403],
    ['app_not_installed', 403],
    ['invalid_settings', 400],
    ['precondition_required', 428],
    ['missing_credentials', 401],
  ] as const)('answers an AppError %s with its problem response (%i)', async (code, status) => {
    const response = await throwing(new AppError(code, `detail of ${code}`));
    const problem = await expectProblem(response, status, code);
    expect(problem.detail).toBe(`detail of ${code}`);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers an AppError thrown asynchronously the same way', async () => {
    const response = await route(async () => {
      await Promise.resolve();
      throw new AppError('not_found');
    }).withContext(app)(testRequest('/api/things'));
    await expectProblem(response, 404, 'not_found');
  });

  it('sends Retry-After from the error’s retry time', async () => {
    const response = await throwing(
      new AppError('wix_rate_limited', undefined, { retryAfterSeconds: 17 }),
    );
    await expectProblem(response, 503, 'wix_rate_limited');
    expect(response.headers.get('retry-after')).toBe('17');
  });

  it('sends the current ETag with a version_conflict', async () => {
    const response = await throwing(
      new AppError('version_conflict', 'reload', { currentVersion: 4 }),
    );
    await expectProblem(response, 412, 'version_conflict');
    expect(response.headers.get('etag')).toBe('"4"');
  });

  it.each([
    [
      'a timeout',
      new WixApiError('timeout', { path: '/apps/v1/instance' }),
      504,
      'wix_timeout',
      null,
    ],
    ['a dropped connection', new WixApiError('network'), 502, 'wix_unavailable', '5'],
    [
      'a 429 with Retry-After',
      new WixApiError('http', { status: 429, retryAfterSeconds: 30 }),
      503,
      'wix_rate_limited',
      '30',
    ],
    [
      'our own budget',
      new WixApiError('budget', { retryAfterSeconds: 2.2 }),
      503,
      'wix_rate_limited',
      '3',
    ],
    ['a refused app token', new WixApiError('http', { status: 401 }), 502, 'wix_auth_failed', null],
    ['a 503 from Wix', new WixApiError('http', { status: 503 }), 502, 'wix_unavailable', '5'],
    ['a 400 from Wix', new WixApiError('http', { status: 400 }), 502, 'wix_error', null],
  ] as const)(
    'answers a WixApiError for %s with %i %s',
    async (_label, error, status, code, retryAfter) => {
      const response = await throwing(error);
      await expectProblem(response, status, code);
      expect(response.headers.get('retry-after')).toBe(retryAfter);
    },
  );

  it('keeps Wix’s own code, path and request id out of the body but names the request id', async () => {
    const error = new WixApiError('http', {
      status: 400,
      wixCode: 'WDE0110_SECRET_INTERNAL',
      requestId: 'req-123',
      path: '/secret/internal/path',
    });
    const response = await throwing(error);
    const text = await response.text();
    expect(text).not.toContain('WDE0110_SECRET_INTERNAL');
    expect(text).not.toContain('/secret/internal/path');
    expect(JSON.parse(text)).toMatchObject({
      code: 'wix_error',
      detail: expect.stringContaining('req-123'),
    });
  });

  it('answers a DatabaseUnavailableError with 503 and Retry-After, hiding the driver’s error', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), {
      code: 'ECONNREFUSED',
    });
    const response = await throwing(new DatabaseUnavailableError(cause));
    await expectProblem(response, 503, 'database_unavailable');
    expect(response.headers.get('retry-after')).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
    expect(await throwing(new DatabaseUnavailableError(cause)).then((r) => r.text())).not.toContain(
      '10.0.0.7',
    );
  });

  it('answers anything else with a 500 that says nothing about it, logging the cause once', async () => {
    logged.length = 0;
    const secret = 'postgres://admin:hunter2@db.internal/prod';
    const response = await throwing(new Error(`cannot parse ${secret}`));
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ status: 500, code: 'internal_error' });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('cannot parse');
    expect(text).not.toContain('route.test');
    expect(failures()).toEqual([
      expect.objectContaining({
        level: 'error',
        status: 500,
        code: 'internal_error',
        requestId: response.headers.get('x-request-id'),
        method: 'GET',
        path: '/api/things',
        error: 'Error',
        errorMessage: expect.stringContaining('cannot parse'),
      }),
    ]);
  });

  it('answers a thrown non-Error with a 500 too', async () => {
    logged.length = 0;
    const response = await throwing('a bare string');
    await expectProblem(response, 500, 'internal_error');
    expect(failures()).toEqual([expect.objectContaining({ errorMessage: 'a bare string' })]);
  });

  it('does not take an object that merely looks like an AppError for one', async () => {
    logged.length = 0;
    const response = await throwing({ name: 'AppError', code: 'not_found', message: 'x' });
    await expectProblem(response, 500, 'internal_error');
    expect(failures()).toHaveLength(1);
  });

  it('logs every 5xx it answers, AppErrors included, and no 4xx', async () => {
    logged.length = 0;
    await throwing(new AppError('not_found'));
    await throwing(new AppError('caller_not_allowed'));
    expect(failures()).toEqual([]);
    const unavailable = await throwing(
      new WixApiError('http', { status: 503, requestId: 'wix-req-42', path: '/apps/v1/instance' }),
    );
    expect(failures()).toEqual([
      expect.objectContaining({
        status: 502,
        code: 'wix_unavailable',
        wixRequestId: 'wix-req-42',
        wixStatus: 503,
        requestId: unavailable.headers.get('x-request-id'),
      }),
    ]);
  });

  it('never logs the query string, a header or the body of the failed request', async () => {
    logged.length = 0;
    const request = testRequest('/api/things?email=victim%40example.com', {
      method: 'PUT',
      auth: 'credential-value',
      json: { notificationEmail: 'victim@example.com' },
    });
    await route(() => {
      throw new Error('database error\nparams: victim@example.com,user-1');
    }).withContext(app)(request);
    const line = logged.join('\n');
    expect(line).toContain('request_failed');
    expect(line).not.toContain('victim');
    expect(line).not.toContain('credential-value');
    expect(line).not.toContain('user-1');
  });

  it('names every answer with an x-request-id, a fresh one each time', async () => {
    const ok = route(() => json({ ok: true })).withContext(app);
    const a = await ok(testRequest('/api/things'));
    const b = await ok(testRequest('/api/things'));
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers.get('x-request-id')).not.toBe(a.headers.get('x-request-id'));
    expect((await throwing(new AppError('not_found'))).headers.get('x-request-id')).toBeTruthy();
  });

  it('maps errors thrown by each wrapper alike', async () => {
    for (const wrap of [route, publicRoute, serverRoute]) {
      const response = await wrap(() => {
        throw new AppError('not_found');
      }).withContext(app)(testRequest('/api/things'));
      await expectProblem(response, 404, 'not_found');
    }
  });
});

describe('route wrappers: what a handler gets and returns', () => {
  it('passes the request, the context given to withContext, and the params', async () => {
    const handler = vi.fn<RouteHandler<{ id: string }>>(() => json({ ok: true }));
    const request = testRequest('/api/things/42', { method: 'DELETE' });
    const response = await route(handler).withContext(app)(request, {
      params: Promise.resolve({ id: '42' }),
    });
    expect(response.status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
    const [gotRequest, gotApp, gotParams] = handler.mock.calls[0]!;
    expect(gotRequest).toBe(request);
    expect(gotApp).toBe(app);
    expect(gotParams).toEqual({ id: '42' });
  });

  it('passes empty params when Next passes none', async () => {
    const handler = vi.fn<RouteHandler>(() => new Response(null, { status: 204 }));
    await publicRoute(handler).withContext(app)(testRequest('/api/health'));
    expect(handler.mock.calls[0]![2]).toEqual({});
  });

  it('serves each context it is given, independently', async () => {
    const other = createAppContext(testAppConfig());
    const seen: AppContext[] = [];
    const GET = route((_request, given) => {
      seen.push(given);
      return json({});
    });
    await GET.withContext(app)(testRequest('/api/x'));
    await GET.withContext(other)(testRequest('/api/x'));
    expect(seen).toEqual([app, other]);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('uses the process context when called as Next calls it, with Next’s after() for work after the response', async () => {
    const seen: AppContext[] = [];
    const GET = publicRoute((_request, given) => {
      seen.push(given);
      return json({});
    });
    await GET(testRequest('/api/health'), { params: Promise.resolve({}) });
    await GET(testRequest('/api/health'), { params: Promise.resolve({}) });
    expect(seen).toHaveLength(2);
    // One context for the process, built once.
    expect(seen[1]).toBe(seen[0]);
    // The process context itself — the middleware's too — not a copy of it.
    expect(seen[0]).toBe(wixApp.context());
    // Its afterResponse hands work to Next's `after()`, which works only inside a request Next
    // is serving: outside one it refuses with its own message (no module mock: the suite shares
    // modules, decision 026).
    expect(() => seen[0]!.afterResponse(async () => {})).toThrow(
      /`after` was called outside a request scope/,
    );
  });

  it('returns the handler’s response as it is, sync or async', async () => {
    const made = json({ hello: 'world' }, { status: 201, headers: { etag: '"1"' } });
    const sync = await route(() => made).withContext(app)(testRequest('/api/x'));
    expect(sync).toBe(made);
    const later = await route(async () => made).withContext(app)(testRequest('/api/x'));
    expect(later).toBe(made);
    expect(made.headers.get('content-type')).toBe('application/json');
    expect(made.headers.get('cache-control')).toBe('no-store');
    expect(await made.json()).toEqual({ hello: 'world' });
  });

  it('declares who may call it: instance, public or server', () => {
    const ok = () => json({});
    expect(route(ok).access).toBe('instance');
    expect(publicRoute(ok).access).toBe('public');
    expect(serverRoute(ok).access).toBe('server');
  });
});

// A request with a body skips the middleware (middleware.ts's matcher; decision 019), so the
// wrapper applies CORS to it itself. undici adds no Content-Length to a Request: these tests
// set the header as a browser's request carries it.
describe('route wrappers: CORS for a request with a body (which skipped the middleware)', () => {
  const ORIGIN = `https://${TEST_APP_ID}.wix.run`;
  const EVIL = 'https://evil.example';
  const body = '{"greeting":"hi"}';
  const withBody = (headers: Record<string, string> = {}, bodyHeader = 'content-length') =>
    testRequest('/api/things', {
      method: 'PUT',
      body,
      headers: {
        [bodyHeader]: bodyHeader === 'content-length' ? String(body.length) : 'chunked',
        ...headers,
      },
    });

  it.each([
    ['route', route],
    ['publicRoute', publicRoute],
  ] as const)(
    'refuses a refused Origin with 403 origin_not_allowed before the %s handler runs',
    async (_label, wrap) => {
      const handler = vi.fn<RouteHandler>(() => json({ ran: true }));
      const response = await wrap(handler).withContext(app)(withBody({ origin: EVIL }));
      await expectProblem(response, 403, 'origin_not_allowed');
      expect(handler).not.toHaveBeenCalled();
      expect(response.headers.has('access-control-allow-origin')).toBe(false);
      expect(response.headers.get('vary')).toMatch(/origin/i);
      expect(response.headers.get('x-request-id')).toBeTruthy();
    },
  );

  it('refuses a refused Origin on a request sent with Transfer-Encoding too', async () => {
    const handler = vi.fn<RouteHandler>(() => json({ ran: true }));
    const response = await route(handler).withContext(app)(
      withBody({ origin: EVIL }, 'transfer-encoding'),
    );
    await expectProblem(response, 403, 'origin_not_allowed');
    expect(handler).not.toHaveBeenCalled();
  });

  it('puts the CORS headers of an allowed Origin on the handler’s answer', async () => {
    const response = await route(() => json({ ok: true })).withContext(app)(
      withBody({ origin: ORIGIN }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/retry-after/);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('puts them on a problem the handler throws, and on a 500, so the browser can read them', async () => {
    const refused = await route(() => {
      throw new AppError('missing_credentials');
    }).withContext(app)(withBody({ origin: ORIGIN }));
    await expectProblem(refused, 401, 'missing_credentials');
    expect(refused.headers.get('access-control-allow-origin')).toBe(ORIGIN);

    const failed = await route(() => {
      throw new Error('exploded');
    }).withContext(app)(withBody({ origin: ORIGIN }));
    await expectProblem(failed, 500, 'internal_error');
    expect(failed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('adds only Vary to the answer of a request without an Origin', async () => {
    const response = await route(() => json({ ok: true })).withContext(app)(withBody());
    expect(response.status).toBe(200);
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
    expect(response.headers.get('vary')).toMatch(/origin/i);
  });

  it('applies no CORS to a serverRoute: the handler runs for any Origin and gets no CORS headers', async () => {
    const handler = vi.fn<RouteHandler>(() => json({ ran: true }));
    for (const origin of [EVIL, ORIGIN]) {
      const response = await serverRoute(handler).withContext(app)(withBody({ origin }));
      expect(response.status).toBe(200);
      expect(response.headers.has('access-control-allow-origin')).toBe(false);
      expect(response.headers.has('vary')).toBe(false);
    }
    expect(handler).toHaveBeenCalledTimes(2);
  });
});
