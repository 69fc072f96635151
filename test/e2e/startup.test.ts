/**
 * `next start` as an operator runs it: refusing to start without secrets, no development routes
 * in production, middleware-bypass attempts refused, and the CORS headers at the HTTP level
 * (what curl would show).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { runNextUntilExit, startNextServer, type NextServer } from './helpers/next-server';
import { PROJECT_ROOT } from './helpers/paths';

/**
 * The demo's development routes (app/(demo)/api/dev) answer 404 in production. An author who
 * removed the demo has no such routes: the paths are then unknown ones, which need a credential
 * like any other (401). Either way no credential is handed out.
 */
const DEV_ROUTES_ABSENT = !fs.existsSync(path.join(PROJECT_ROOT, 'app', '(demo)', 'api', 'dev'));
const NO_DEV_ROUTE = DEV_ROUTES_ABSENT
  ? { status: 401, code: 'missing_credentials' }
  : { status: 404, code: 'not_found' };

const EXIT_TIMEOUT_MS = 20_000;

describe('next start without secrets in production', () => {
  it('exits non-zero, in bounded time, naming both missing variables', async () => {
    // Blank values count as unset (and keep a developer's .env.local out of the test).
    const result = await runNextUntilExit({
      env: { NODE_ENV: 'production', WIX_APP_ID: '', WIX_APP_SECRET: '' },
      timeoutMs: EXIT_TIMEOUT_MS,
    });
    const output = `${result.stdout}\n${result.stderr}`;

    expect(result.code, output).not.toBe(0);
    expect(result.code, output).not.toBeNull();
    expect(result.durationMs).toBeLessThan(EXIT_TIMEOUT_MS);
    expect(output).toContain('WIX_APP_ID');
    expect(output).toContain('WIX_APP_SECRET');
    expect(output).toMatch(/cannot start/i);
    // The secret's value is never echoed; only the variable names.
    expect(output).not.toContain(TEST_APP_SECRET);
  });
});

describe('next start in production with secrets', () => {
  const ALLOWED = 'https://admin.example.com';
  const WIX_RUN = `https://${TEST_APP_ID}.wix.run`;
  const EVIL = `https://${TEST_APP_ID}.wix.run.evil.example`;
  let server: NextServer | undefined;

  beforeAll(async () => {
    server = await startNextServer({
      env: {
        NODE_ENV: 'production',
        WIX_APP_ID: TEST_APP_ID,
        WIX_APP_SECRET: TEST_APP_SECRET,
        CORS_ALLOWED_ORIGINS: ALLOWED,
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(() => {
    onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(no server)'}`));
  });

  /**
   * fetch from node (no CORS enforcement: the raw headers, like curl -i). No answer ever carries
   * access-control-allow-credentials: auth is a header, not a cookie (docs/wix-protocol.md, "CORS").
   */
  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${server!.url}${path}`, {
      ...init,
      signal: AbortSignal.timeout(10_000),
    });
    const label = `${init.method ?? 'GET'} ${path}`;
    expect(response.headers.has('access-control-allow-credentials'), label).toBe(false);
    return response;
  }

  const varyOf = (response: Response) =>
    (response.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());

  it('does not serve /api/dev/instance (404 not_found; 401 once the demo is removed)', async () => {
    for (const route of ['/api/dev/instance?site=a', '/api/dev/instance']) {
      const response = await call(route);
      expect(response.status, route).toBe(NO_DEV_ROUTE.status);
      expect(await response.json()).toMatchObject({ code: NO_DEV_ROUTE.code });
    }
  });

  it('puts ACAO and Vary: Origin on a 401 for an allowed origin', async () => {
    for (const origin of [ALLOWED, WIX_RUN]) {
      const response = await call('/api/me', { headers: { origin } });
      expect(response.status, origin).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(varyOf(response)).toContain('origin');
      expect(await response.json()).toMatchObject({ code: 'missing_credentials' });
    }
    const invalid = await call('/api/me', { headers: { origin: ALLOWED, authorization: 'x.y' } });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(varyOf(invalid)).toContain('origin');
  });

  it('answers 401 to middleware-bypass attempts on every gated path', async () => {
    // CVE-2025-29927 (x-middleware-subrequest makes some Next versions skip the middleware) and
    // a client-made identity header: handlers check the credential themselves, so whether the
    // middleware runs or not, no credential (or a forged one) never reaches data.
    const forged = await signInstance(
      { instanceId: randomUUID(), appDefId: TEST_APP_ID, permissions: 'OWNER' },
      'not-the-app-secret',
    );
    const identity = JSON.stringify({ instanceId: randomUUID(), isOwner: true });
    const attacks: Array<[string, Record<string, string>, string]> = [
      [
        'x-middleware-subrequest',
        { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' },
        'missing_credentials',
      ],
      [
        'x-middleware-subrequest (short)',
        { 'x-middleware-subrequest': 'middleware' },
        'missing_credentials',
      ],
      ['identity header', { 'x-wix-verified-identity': identity }, 'missing_credentials'],
      [
        'both, with a forged instance',
        {
          'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware',
          'x-wix-verified-identity': identity,
          authorization: forged,
        },
        'invalid_signature',
      ],
    ];
    for (const path of ['/api/me', '/api/settings', '/api/wix/instance', '/api/no-such-route']) {
      for (const [label, headers, code] of attacks) {
        const response = await call(path, { headers });
        expect(response.status, `${label} on ${path}`).toBe(401);
        expect(await response.json(), `${label} on ${path}`).toMatchObject({ code });
      }
    }
    const write = await call('/api/settings', {
      method: 'PUT',
      headers: {
        ...attacks[3]![1],
        'content-type': 'application/json',
        'if-match': '"0"',
      },
      body: JSON.stringify({ greeting: 'bypassed', theme: 'dark' }),
    });
    expect(write.status).toBe(401);
  });

  it('answers a preflight from an allowed origin with 204 and exact CORS headers', async () => {
    const response = await call('/api/me', {
      method: 'OPTIONS',
      headers: {
        origin: WIX_RUN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(WIX_RUN);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    // Every method a route can export (STANDARD_METHODS); a route answers 405 for the rest.
    expect(response.headers.get('access-control-allow-methods')).toBe(
      'GET, POST, PUT, PATCH, DELETE',
    );
    expect(varyOf(response)).toContain('origin');
  });

  it('refuses a look-alike origin: preflight 403 without ACAO', async () => {
    const preflight = await call('/api/me', {
      method: 'OPTIONS',
      headers: {
        origin: EVIL,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.has('access-control-allow-origin')).toBe(false);
    // No body: no script reads a refused preflight (docs/decisions/019-bodies-skip-the-middleware.md).
    expect(await preflight.text()).toBe('');

    // The actual request is refused too, not only its preflight.
    const actual = await call('/api/me', { headers: { origin: EVIL } });
    expect(actual.status).toBe(403);
    expect(actual.headers.has('access-control-allow-origin')).toBe(false);
  });
});

describe('next start in development mode with a real secret', () => {
  let server: NextServer | undefined;

  beforeAll(async () => {
    server = await startNextServer({
      env: { NODE_ENV: 'development', WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  // CI builds with NEXT_OUTPUT=standalone (for the container test) and serves that .next here:
  // `next start` must treat it as the normal build it is, which it does unless started with
  // NEXT_OUTPUT=standalone itself (decision 021).
  it('starts without the "output: standalone" warning', () => {
    expect(server!.output()).toMatch(/Ready/);
    expect(server!.output()).not.toMatch(/does not work with "output: standalone"/);
  });

  // Regression: /api/dev/instance used to sign OWNER instances with the real secret whenever
  // NODE_ENV was not production, so anyone reaching the server could obtain a valid credential.
  it('never signs instances on request with a configured secret', async () => {
    const response = await fetch(`${server!.url}/api/dev/instance?site=a`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(NO_DEV_ROUTE.status);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: NO_DEV_ROUTE.code });
    expect(body).not.toHaveProperty('instance');
  });
});
