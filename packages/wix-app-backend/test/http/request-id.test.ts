import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context';
import { gateApiRequest } from '../../src/http/gate';
import { MAX_REQUEST_ID_LENGTH, isValidRequestId, requestIdFor } from '../../src/http/request-id';
import { json } from '../../src/http/route';
import { createLogger } from '../../src/log';
import {
  createTestApp,
  expectProblem,
  testAppConfig,
  testRequest,
  type TestApp,
} from '../../src/testing';
import {
  fixtureApp,
  route,
  whoAmI as getMe,
  wixInstance as getWixInstance,
} from '../fixtures/routes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRUST = { TRUSTED_REQUEST_ID_HEADER: 'x-request-id' };

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ app: fixtureApp });
});
afterAll(() => kit.close());

/** A context over the kit's database whose log lines land in `lines`. */
function logging(env: Record<string, string> = {}): { app: AppContext; lines: () => object[] } {
  const written: string[] = [];
  const app = createAppContext(testAppConfig({ LOG_LEVEL: 'debug', ...env }), {
    database: kit.database,
    log: createLogger('debug', (line) => written.push(line)),
  });
  return { app, lines: () => written.map((line) => JSON.parse(line) as object) };
}

const withId = (id: string) => ({ headers: { 'x-request-id': id } });

describe('requestIdFor', () => {
  const request = (headers: Record<string, string>) => testRequest('/api/me', { headers });

  it('mints a fresh id when no header is trusted, whatever the client sent', () => {
    const sent = request({ 'x-request-id': 'client-chosen' });
    expect(requestIdFor(sent, null)).toMatch(UUID);
    expect(requestIdFor(sent, null)).not.toBe(requestIdFor(sent, null));
  });

  it('takes the trusted header’s value, and only that header’s', () => {
    const sent = request({
      'x-vercel-id': 'fra1::iad1::abcd-1700000000000-0123',
      'x-request-id': 'x',
    });
    expect(requestIdFor(sent, 'x-vercel-id')).toBe('fra1::iad1::abcd-1700000000000-0123');
    expect(requestIdFor(request({ 'x-request-id': 'x' }), 'x-vercel-id')).toMatch(UUID);
  });

  it.each([
    ['a space inside', 'abc def'],
    ['one character too long', 'x'.repeat(MAX_REQUEST_ID_LENGTH + 1)],
    ['a character outside printable ASCII', 'caf\u00e9-1'],
    ['a tab', 'a\tb'],
  ])('refuses a trusted value with %s, minting instead', (_label, value) => {
    expect(isValidRequestId(value)).toBe(false);
    expect(requestIdFor(request({ 'x-request-id': value }), 'x-request-id')).toMatch(UUID);
  });

  it('accepts printable ASCII up to the limit', () => {
    const longest = 'x'.repeat(MAX_REQUEST_ID_LENGTH);
    expect(requestIdFor(request({ 'x-request-id': longest }), 'x-request-id')).toBe(longest);
    expect(isValidRequestId('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1')).toBe(true);
  });
});

describe('a route’s answers', () => {
  it('carry the trusted incoming id in the header and in the problem body', async () => {
    const trusting = kit.withEnv(TRUST);
    const response = await trusting.call(getMe, '/api/me', withId('edge-42'));
    expect(response.headers.get('x-request-id')).toBe('edge-42');
    expect((await expectProblem(response, 401, 'missing_credentials')).requestId).toBe('edge-42');
  });

  it('ignore an incoming id when no header is trusted, naming the answer with their own', async () => {
    const response = await kit.call(getMe, '/api/me', withId('edge-42'));
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect((await expectProblem(response, 401, 'missing_credentials')).requestId).toBe(id);
  });

  it('mint an id when the trusted header holds something that is not one', async () => {
    const trusting = kit.withEnv(TRUST);
    const response = await trusting.call(getMe, '/api/me', withId('x'.repeat(500)));
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect((await expectProblem(response, 401, 'missing_credentials')).requestId).toBe(id);
  });

  it('take x-vercel-id on Vercel without further configuration', async () => {
    const vercel = kit.withEnv({ VERCEL: '1' });
    const response = await vercel.call(getMe, '/api/me', {
      headers: { 'x-vercel-id': 'cdg1::abcde-1', 'x-request-id': 'forged' },
    });
    expect(response.headers.get('x-request-id')).toBe('cdg1::abcde-1');
    expect((await expectProblem(response, 401, 'missing_credentials')).requestId).toBe(
      'cdg1::abcde-1',
    );
  });

  it('log a 5xx under the id the answer and its body carry', async () => {
    const { app, lines } = logging(TRUST);
    // Nothing listens at the test configuration's Wix URL: the call fails, 502.
    const response = await getWixInstance.withContext(app)(
      testRequest('/api/wix/instance', {
        auth: await kit.signInstance(),
        headers: { 'x-request-id': 'edge-502' },
      }),
    );
    const problem = await expectProblem(response, 502, 'wix_unavailable');
    expect(problem.requestId).toBe('edge-502');
    expect(lines()).toEqual([
      expect.objectContaining({ event: 'request_failed', requestId: 'edge-502', status: 502 }),
    ]);
  }, 20_000);

  it('put the id on every log line written while serving, after-response work included', async () => {
    const { app, lines } = logging();
    const handler = route(async (_request, served) => {
      served.log.info('handler_line');
      await Promise.resolve();
      served.afterResponse(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        served.log.warn('after_line', { n: 1 });
      });
      return json({ ok: true });
    });
    const response = await handler.withContext(app)(testRequest('/api/things'));
    await app.idle();
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(lines()).toEqual([
      { level: 'info', event: 'handler_line', requestId: id },
      { level: 'warn', event: 'after_line', requestId: id, n: 1 },
    ]);
    // Outside a request, nothing is added.
    app.log.info('outside');
    expect(lines().at(-1)).toEqual({ level: 'info', event: 'outside' });
  });
});

describe('the gate’s own answers', () => {
  const respond = async (app: AppContext, request: Request): Promise<Response> => {
    const result = await gateApiRequest(request, app);
    if (result.kind !== 'respond') throw new Error('expected the gate to answer');
    return result.response;
  };

  it('name a refusal with the trusted id: header, body and the auth_refused line', async () => {
    const { app, lines } = logging(TRUST);
    const response = await respond(app, testRequest('/api/me', withId('edge-401')));
    expect(response.headers.get('x-request-id')).toBe('edge-401');
    expect((await expectProblem(response, 401, 'missing_credentials')).requestId).toBe('edge-401');
    expect(lines()).toEqual([
      expect.objectContaining({ event: 'auth_refused', requestId: 'edge-401' }),
    ]);
  });

  it('put their own id in the body of a refused origin and an undecodable path', async () => {
    const { app } = logging();
    for (const [request, status, code] of [
      [
        testRequest('/api/me', { headers: { origin: 'https://evil.example' } }),
        403,
        'origin_not_allowed',
      ],
      [testRequest('/api/%zz'), 400, 'invalid_request'],
    ] as const) {
      const response = await respond(app, request);
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(UUID);
      expect((await expectProblem(response, status, code)).requestId).toBe(id);
    }
  });

  it('name a refused preflight too', async () => {
    const { app } = logging(TRUST);
    const response = await respond(
      app,
      testRequest('/api/me', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'GET',
          'x-request-id': 'edge-403',
        },
      }),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('x-request-id')).toBe('edge-403');
  });
});
