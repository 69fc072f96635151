import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppContext, type AppContext, type WixAppDefinition } from '../../src/app/context';
import { createTokenInfoGuard } from '../../src/auth/token-info-guard';
import { startWixEmulator, type WixEmulator } from '../../src/dev/wix-emulator';
import { gateApiRequest, type GateResult } from '../../src/http/gate';
import { AppError } from '../../src/errors/app-error';
import { createLogger } from '../../src/log';
import { OTHER_APP_ID } from '../../src/testing/test-credentials';
import {
  TEST_APP_ID,
  TEST_APP_SECRET,
  expectProblem,
  signTestInstance,
  testAppConfig,
  testRequest,
} from '../../src/testing';

const ORIGIN = `https://${TEST_APP_ID}.wix.run`;
const EVIL = 'https://evil.example';
/** What the gate adds to the answer for a request from `ORIGIN`, and nothing else. */
const CORS_FOR_ORIGIN = {
  'access-control-allow-origin': ORIGIN,
  'access-control-expose-headers': 'etag, retry-after, www-authenticate',
  vary: 'Origin',
};
/** The header the middleware once sealed the identity into; now it means nothing. */
const OLD_IDENTITY_HEADER = 'x-wix-verified-identity';

/** A context for the test app; nothing is opened until used (the gate never opens the database). */
/** The paths of an app like the template: a health check and dev tools, a webhook and crons. */
const PUBLIC_API_PATHS = ['/api/health', '/api/dev/instance', '/api/dev/access-token'];
const SERVER_API_PATHS = ['/api/webhooks/wix', '/api/cron/purge', '/api/cron/events'];

function testContext(
  env: Record<string, string | undefined> = {},
  definition: WixAppDefinition = { publicPaths: PUBLIC_API_PATHS, serverPaths: SERVER_API_PATHS },
): AppContext {
  return createAppContext(testAppConfig(env), definition);
}

const request = (
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Request => testRequest(path, options);

function respond(result: GateResult): Response {
  if (result.kind !== 'respond') throw new Error('expected the gate to respond');
  return result.response;
}

function proceed(result: GateResult) {
  if (result.kind !== 'continue') throw new Error('expected the gate to let the request through');
  return result;
}

async function everythingSent(response: Response): Promise<string> {
  return [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n') + (await response.text());
}

describe('gateApiRequest: CORS comes first', () => {
  it('answers a preflight from an allowed origin without needing credentials', async () => {
    const response = respond(
      await gateApiRequest(
        request('/api/me', {
          method: 'OPTIONS',
          headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
        }),
        testContext(),
      ),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect(response.headers.get('access-control-allow-methods')).toBe(
      'GET, POST, PUT, PATCH, DELETE',
    );
    expect(await response.text()).toBe('');
  });

  it('answers a preflight before looking at a broken Authorization header', async () => {
    const response = respond(
      await gateApiRequest(
        request('/api/me', {
          method: 'OPTIONS',
          headers: { origin: ORIGIN, authorization: 'garbage' },
        }),
        testContext(),
      ),
    );
    expect(response.status).toBe(204);
  });

  it('refuses a preflight from a refused origin with 403', async () => {
    const response = respond(
      await gateApiRequest(
        request('/api/me', { method: 'OPTIONS', headers: { origin: EVIL } }),
        testContext(),
      ),
    );
    expect(response.status).toBe(403);
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
    expect(response.headers.has('access-control-allow-methods')).toBe(false);
    expect(response.headers.has('access-control-allow-credentials')).toBe(false);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    // No body: no script can read a refused preflight's, and Chromium drops the connection
    // without reading one (next dev logged that as an uncaught ECONNRESET).
    expect(response.headers.has('content-type')).toBe(false);
    expect(await response.text()).toBe('');
  });

  it('refuses an actual request from a refused origin even with a valid instance', async () => {
    const response = respond(
      await gateApiRequest(
        request('/api/me', { headers: { origin: EVIL, authorization: await signTestInstance() } }),
        testContext(),
      ),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
    expect(await response.json()).toMatchObject({ code: 'origin_not_allowed' });
  });

  it('refuses a refused origin on a public path too', async () => {
    const response = respond(
      await gateApiRequest(request('/api/health', { headers: { origin: EVIL } }), testContext()),
    );
    expect(response.status).toBe(403);
  });

  it('refuses localhost when the configuration turns it off', async () => {
    const app = testContext({ CORS_ALLOW_LOCALHOST: 'false' });
    const response = respond(
      await gateApiRequest(
        request('/api/health', { headers: { origin: 'http://localhost:5173' } }),
        app,
      ),
    );
    expect(response.status).toBe(403);
  });
});

describe('gateApiRequest: authentication', () => {
  it('answers 401 missing_credentials with CORS headers and a challenge when no credential is sent', async () => {
    const response = respond(
      await gateApiRequest(request('/api/me', { headers: { origin: ORIGIN } }), testContext()),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 401, code: 'missing_credentials' });
  });

  it('answers 401 without CORS headers to a request that sent no Origin', async () => {
    const response = respond(await gateApiRequest(request('/api/me'), testContext()));
    expect(response.status).toBe(401);
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
  });

  const now = Date.now();
  const badCredentials: [string, () => Promise<string>, string][] = [
    ['"Bearer " alone', async () => 'Bearer ', 'malformed_credentials'],
    ['two tokens', async () => 'abc.def ghi.jkl', 'malformed_credentials'],
    ['an over-long value', async () => 'x'.repeat(9000), 'malformed_credentials'],
    ['no dot', async () => 'garbage', 'malformed_credentials'],
    ['a lone dot', async () => '.', 'malformed_credentials'],
    ['Latin-1 bytes', async () => 'é.é', 'malformed_credentials'],
    [
      'another secret’s signature',
      () => signTestInstance({ secret: 'other-secret' }),
      'invalid_signature',
    ],
    ['another app’s instance', () => signTestInstance({ appDefId: OTHER_APP_ID }), 'wrong_app'],
    [
      'an instance signed two days ago',
      () => signTestInstance({ signDate: new Date(now - 2 * 86_400_000).toISOString() }),
      'expired_instance',
    ],
    [
      'an instance signed an hour ahead',
      () => signTestInstance({ signDate: new Date(now + 3_600_000).toISOString() }),
      'instance_not_yet_valid',
    ],
  ];

  it.each(badCredentials)(
    'refuses %s with a 401 problem that names the reason and keeps CORS headers',
    async (_label, make, code) => {
      const credential = await make();
      const response = respond(
        await gateApiRequest(
          request('/api/me', { headers: { origin: ORIGIN, authorization: credential } }),
          testContext(),
        ),
      );
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('www-authenticate')).toContain(`error_description="${code}"`);
      expect(await response.json()).toMatchObject({ code });
    },
  );

  it.each(badCredentials)(
    'never leaks the app secret or the credential when refusing %s',
    async (_label, make) => {
      const credential = await make();
      const response = respond(
        await gateApiRequest(
          request('/api/me', { headers: { origin: ORIGIN, authorization: credential } }),
          testContext(),
        ),
      );
      const sent = await everythingSent(response);
      expect(sent).not.toContain(TEST_APP_SECRET);
      // Short values such as "Bearer" legitimately appear in the challenge header.
      if (credential.length > 8) expect(sent).not.toContain(credential);
    },
  );

  it('logs the refusal reason but neither the credential nor the secret', async () => {
    const lines: string[] = [];
    const app = { ...testContext(), log: createLogger('debug', (line) => lines.push(line)) };
    const credential = await signTestInstance({ secret: 'other-secret' });
    await gateApiRequest(request('/api/me', { headers: { authorization: credential } }), app);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('invalid_signature');
    expect(lines[0]).toContain('/api/me');
    expect(lines[0]).not.toContain(credential);
    expect(lines[0]).not.toContain(credential.split('.')[0]);
    expect(lines[0]).not.toContain(TEST_APP_SECRET);
  });

  it('lets a valid instance through with the CORS response headers, forwarding nothing', async () => {
    const credential = await signTestInstance();
    const gate = proceed(
      await gateApiRequest(
        request('/api/me', { headers: { origin: ORIGIN, authorization: credential } }),
        testContext(),
      ),
    );
    expect(gate).toEqual({
      kind: 'continue',
      responseHeaders: CORS_FOR_ORIGIN,
    });
    expect(JSON.stringify(gate)).not.toContain(credential);
  });

  it('lets a valid instance through when it comes with a Bearer prefix', async () => {
    const credential = await signTestInstance();
    const gate = proceed(
      await gateApiRequest(
        request('/api/me', { headers: { authorization: `Bearer ${credential}` } }),
        testContext(),
      ),
    );
    expect(gate.responseHeaders).toEqual({ vary: 'Origin' });
  });

  it('lets a server-to-server call without Origin through with only Vary', async () => {
    const gate = proceed(
      await gateApiRequest(
        request('/api/me', { headers: { authorization: await signTestInstance() } }),
        testContext(),
      ),
    );
    expect(gate.responseHeaders).toEqual({ vary: 'Origin' });
  });

  it('answers 503 token_info_unavailable with Retry-After and CORS headers when Wix cannot check a token', async () => {
    const app: AppContext = {
      ...testContext(),
      verifyCredential: async () => ({
        ok: false,
        reason: 'token_info_unavailable',
        detail: 'Token Info timed out',
      }),
    };
    const response = respond(
      await gateApiRequest(
        request('/api/me', { headers: { origin: ORIGIN, authorization: 'OauthNG.JWS.a.b.c' } }),
        app,
      ),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBeTruthy();
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await response.json()).toMatchObject({ code: 'token_info_unavailable' });
  });

  it.each(['/api/health/', '/api/health/x', '/api/healthz', '/api/dev/instance/x', '/api/HEALTH'])(
    'requires credentials on %s, which only looks like a public path',
    async (path) => {
      const response = respond(await gateApiRequest(request(path), testContext()));
      expect(response.status).toBe(401);
    },
  );

  it.each(['/api/webhooks/wix/', '/api/webhooks/wix/x', '/api/cron/purge/x', '/api/cron'])(
    'requires credentials on %s, which only looks like a server-to-server path',
    async (path) => {
      const response = respond(await gateApiRequest(request(path), testContext()));
      expect(response.status).toBe(401);
    },
  );
});

describe('gateApiRequest: public paths', () => {
  it.each(PUBLIC_API_PATHS)('lets %s through without credentials', async (path) => {
    const gate = proceed(
      await gateApiRequest(request(path, { headers: { origin: ORIGIN } }), testContext()),
    );
    expect(gate.responseHeaders).toEqual(CORS_FOR_ORIGIN);
  });

  it('does not check the credential on a public path, even a broken one', async () => {
    const app = testContext();
    const verify = vi.fn(app.verifyCredential);
    const gate = proceed(
      await gateApiRequest(request('/api/health', { headers: { authorization: 'garbage' } }), {
        ...app,
        verifyCredential: verify,
      }),
    );
    expect(gate.kind).toBe('continue');
    expect(verify).not.toHaveBeenCalled();
  });
});

// The middleware used to seal the verified identity into `x-wix-verified-identity` for the
// handler. It forwards nothing now: handlers authenticate again (src/app/authenticate.ts), so a
// client-sent header of that name is just another header.
describe('gateApiRequest: a client-sent x-wix-verified-identity header', () => {
  const forged = 'eyJpbnN0YW5jZUlkIjoiYWFhYSJ9.forged-seal';

  it.each(['/api/health', '/api/dev/instance'])(
    'is neither echoed nor used on the public path %s',
    async (path) => {
      const gate = proceed(
        await gateApiRequest(
          request(path, { headers: { origin: ORIGIN, [OLD_IDENTITY_HEADER]: forged } }),
          testContext(),
        ),
      );
      expect(gate).toEqual({
        kind: 'continue',
        responseHeaders: CORS_FOR_ORIGIN,
      });
    },
  );

  it('is neither echoed nor used on a private path with a valid credential', async () => {
    const gate = proceed(
      await gateApiRequest(
        request('/api/me', {
          headers: { authorization: await signTestInstance(), [OLD_IDENTITY_HEADER]: forged },
        }),
        testContext(),
      ),
    );
    expect(gate).toEqual({ kind: 'continue', responseHeaders: { vary: 'Origin' } });
  });

  it('does not stand in for a credential: alone it gets 401 missing_credentials', async () => {
    const response = respond(
      await gateApiRequest(
        request('/api/me', { headers: { origin: ORIGIN, [OLD_IDENTITY_HEADER]: forged } }),
        testContext(),
      ),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'missing_credentials' });
  });

  it('does not rescue an invalid credential', async () => {
    const response = respond(
      await gateApiRequest(
        request('/api/me', {
          headers: {
            authorization: await signTestInstance({ secret: 'other-secret' }),
            [OLD_IDENTITY_HEADER]: forged,
          },
        }),
        testContext(),
      ),
    );
    expect(response.status).toBe(401);
    expect(await everythingSent(response)).not.toContain(forged);
  });
});

describe('gateApiRequest: server-to-server paths', () => {
  it.each(SERVER_API_PATHS)(
    'lets %s through without credentials, CORS or a check, even from a refused origin',
    async (path) => {
      const app = testContext();
      const verify = vi.fn(app.verifyCredential);
      const gate = proceed(
        await gateApiRequest(
          request(path, { method: 'POST', headers: { origin: EVIL, authorization: 'garbage' } }),
          { ...app, verifyCredential: verify },
        ),
      );
      expect(gate).toEqual({ kind: 'continue', responseHeaders: {} });
      expect(verify).not.toHaveBeenCalled();
    },
  );

  it.each(SERVER_API_PATHS)(
    'passes a preflight for %s to the route, adding no CORS headers',
    async (path) => {
      const gate = proceed(
        await gateApiRequest(
          request(path, { method: 'OPTIONS', headers: { origin: ORIGIN } }),
          testContext(),
        ),
      );
      expect(gate.responseHeaders).toEqual({});
    },
  );
});

describe('the paths an app declares', () => {
  it('skips instance authentication for exactly the public and server paths the context has', async () => {
    const gate = gateApiRequest;
    const app = testContext({}, { publicPaths: ['/api/open'], serverPaths: ['/api/hook'] });
    expect(proceed(await gate(request('/api/open'), app)).responseHeaders).toEqual({
      vary: 'Origin',
    });
    expect(proceed(await gate(request('/api/hook', { method: 'POST' }), app))).toEqual({
      kind: 'continue',
      responseHeaders: {},
    });
    expect(respond(await gate(request('/api/health'), app)).status).toBe(401);
    expect(respond(await gate(request('/api/webhooks/wix'), app)).status).toBe(401);
  });
});

describe('gateApiRequest: its own failures', () => {
  it('answers a 500 problem that still carries the CORS headers, so the browser can read it', async () => {
    const lines: string[] = [];
    const base = createAppContext(testAppConfig(), {
      log: createLogger('debug', (line) => lines.push(line)),
    });
    const app: AppContext = {
      ...base,
      verifyCredential: async () => {
        throw new Error('verifier exploded');
      },
    };
    const response = respond(
      await gateApiRequest(request('/api/me', { headers: { origin: ORIGIN } }), app),
    );
    expect(response.status).toBe(500);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ code: 'internal_error' });
    expect(body).not.toContain('verifier exploded');
    const failed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(failed).toEqual([
      expect.objectContaining({
        event: 'request_failed',
        code: 'internal_error',
        requestId: response.headers.get('x-request-id'),
        errorMessage: 'verifier exploded',
      }),
    ]);
  });

  it('answers a thrown AppError with its own status and Retry-After, plus the CORS headers', async () => {
    const app: AppContext = {
      ...testContext(),
      verifyCredential: async () => {
        throw new AppError('database_unavailable', 'down', { retryAfterSeconds: 7 });
      },
    };
    const response = respond(
      await gateApiRequest(request('/api/me', { headers: { origin: ORIGIN } }), app),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await response.json()).toMatchObject({ code: 'database_unavailable' });
  });
});

describe('gateApiRequest: a path that is not valid percent-encoded UTF-8', () => {
  it.each(['/api/%zz', '/api/notes/%ff', '/api/a%', '/api/%e9', '/api/%C3%28', '/api/%%41'])(
    'answers %s with 400 invalid_request and the CORS headers, before asking for a credential',
    async (path) => {
      const app = testContext();
      const verify = vi.fn(app.verifyCredential);
      const response = respond(
        await gateApiRequest(request(path, { headers: { origin: ORIGIN } }), {
          ...app,
          verifyCredential: verify,
        }),
      );
      await expectProblem(response, 400, 'invalid_request');
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('vary')).toMatch(/origin/i);
      expect(verify).not.toHaveBeenCalled();
    },
  );

  it.each([
    '/api/service-plugins/%zz',
    '/api/service-plugins/%E0%A4%A/v1/balance',
    '/api/hook/%ff',
  ])(
    'answers %s, under a server-to-server path, with 400 invalid_request too (Next would 500)',
    async (path) => {
      // A `/*` server path takes any suffix, so it also takes the ones Next cannot decode: the
      // plain-text 500 with no log that this check exists to prevent.
      const app = testContext({}, { serverPaths: ['/api/service-plugins/*', '/api/hook/*'] });
      const response = respond(
        await gateApiRequest(request(path, { method: 'POST', headers: { origin: EVIL } }), app),
      );
      await expectProblem(response, 400, 'invalid_request');
      // Server to server: no CORS headers, whatever the origin.
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('answers it 400 even with a valid credential', async () => {
    const response = respond(
      await gateApiRequest(
        request('/api/notes/%ff', { headers: { authorization: await signTestInstance() } }),
        testContext(),
      ),
    );
    await expectProblem(response, 400, 'invalid_request');
  });

  it('still refuses a refused origin first, with 403', async () => {
    const response = respond(
      await gateApiRequest(request('/api/%zz', { headers: { origin: EVIL } }), testContext()),
    );
    expect(response.status).toBe(403);
  });

  it.each(['/api/%C3%A9', '/api/%41', '/api/notes/caf%C3%A9%20au%20lait', '/api/%25zz'])(
    'does not refuse %s, which decodes: without a credential it is the usual 401',
    async (path) => {
      const response = respond(
        await gateApiRequest(request(path, { headers: { origin: ORIGIN } }), testContext()),
      );
      await expectProblem(response, 401, 'missing_credentials');
    },
  );

  it('lets a decodable percent-encoded path through with a valid credential', async () => {
    const gate = proceed(
      await gateApiRequest(
        request('/api/notes/%C3%A9', { headers: { authorization: await signTestInstance() } }),
        testContext(),
      ),
    );
    expect(gate.responseHeaders).toEqual({ vary: 'Origin' });
  });
});

describe('gateApiRequest: past the budget for unknown tokens', () => {
  let emulator: WixEmulator;
  beforeAll(async () => {
    emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
  });
  afterAll(() => emulator.close());

  it('answers 429 too_many_requests with Retry-After and the CORS headers, asking Wix nothing', async () => {
    // One Token Info call a minute for tokens it has not seen.
    const app = createAppContext(testAppConfig({ WIX_API_BASE_URL: emulator.url }), {
      tokenInfoGuard: createTokenInfoGuard({ overall: { burst: 1, perMinute: 1 } }),
    });
    const withToken = () =>
      request('/api/me', {
        headers: {
          origin: ORIGIN,
          authorization: emulator.issueWidgetToken({ instanceId: randomUUID() }),
        },
      });
    expect((await gateApiRequest(withToken(), app)).kind).toBe('continue');
    emulator.resetStats();

    const response = respond(await gateApiRequest(withToken(), app));
    await expectProblem(response, 429, 'too_many_requests');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    expect(emulator.stats().tokenInfoCalls).toBe(0);
  });
});

describe('gateApiRequest: while Token Info fails', () => {
  let emulator: WixEmulator;
  beforeAll(async () => {
    emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET });
  });
  afterAll(() => emulator.close());

  it('logs the 503 token_info_unavailable as a failure (request_failed, error), not as auth_refused', async () => {
    const lines: string[] = [];
    const app = createAppContext(testAppConfig({ WIX_API_BASE_URL: emulator.url }), {
      log: createLogger('info', (line) => lines.push(line)),
    });
    emulator.setFaults({ paths: ['/oauth2/token-info'], status500: { count: 100 } });
    const token = emulator.issueWidgetToken({ instanceId: randomUUID() });
    const response = respond(
      await gateApiRequest(request('/api/me', { headers: { authorization: token } }), app),
    );
    await expectProblem(response, 503, 'token_info_unavailable');
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'error',
        event: 'request_failed',
        status: 503,
        code: 'token_info_unavailable',
        method: 'GET',
        path: '/api/me',
        requestId: response.headers.get('x-request-id'),
      }),
    ]);
    expect(lines.join('\n')).not.toContain(token);
  });
});

describe('gateApiRequest: every refusal names its request', () => {
  it('puts an x-request-id on a 401, a 403 and a 400 of its own, and logs the 401 under it', async () => {
    const lines: string[] = [];
    const app = createAppContext(testAppConfig({ LOG_LEVEL: 'info' }), {
      log: createLogger('info', (line) => lines.push(line)),
    });
    const refusals = [
      request('/api/me'),
      request('/api/me', { headers: { origin: EVIL } }),
      request('/api/%zz'),
    ];
    const ids = [];
    for (const refused of refusals) {
      const id = respond(await gateApiRequest(refused, app)).headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.push(id);
    }
    expect(new Set(ids).size).toBe(3);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({ event: 'auth_refused', requestId: ids[0] }),
    );
  });

  it('adds no request id to an answered preflight, which no one reports', async () => {
    const response = respond(
      await gateApiRequest(
        request('/api/me', {
          method: 'OPTIONS',
          headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
        }),
        testContext(),
      ),
    );
    expect(response.status).toBe(204);
    expect(response.headers.has('x-request-id')).toBe(false);
  });
});
