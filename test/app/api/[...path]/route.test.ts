import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DELETE, GET, PATCH, POST, PUT } from '@/app/api/[...path]/route';
import { createTokenInfoGuard } from 'wix-app-backend/auth/token-info-guard';
import { createTestApp, expectProblem, TEST_APP_ID, type TestApp } from '@/test/kit';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

const methods = [
  ['GET', GET],
  ['POST', POST],
  ['PUT', PUT],
  ['PATCH', PATCH],
  ['DELETE', DELETE],
] as const;

describe('/api/[...path] (unknown API paths)', () => {
  it.each(methods)('answers %s with a 404 not_found problem', async (method, handler) => {
    const response = await kit.call(handler, '/api/no/such/route', {
      method,
      auth: await kit.signInstance(),
      body: method === 'GET' ? undefined : '{}',
    });
    await expectProblem(response, 404, 'not_found');
  });

  it.each(methods)(
    'answers %s without a credential with 401, as every non-public path',
    async (method, handler) => {
      const response = await kit.call(handler, '/api/no/such/route', {
        method,
        body: method === 'GET' ? undefined : '{}',
      });
      await expectProblem(response, 401, 'missing_credentials');
    },
  );

  it('answers a forged credential with 401 invalid_signature, not 404', async () => {
    const forged = await kit.signInstance({ secret: 'another-secret-entirely' });
    await expectProblem(
      await kit.call(GET, '/api/no/such/route', { auth: forged }),
      401,
      'invalid_signature',
    );
  });
});

describe('/api/[...path] past the budget for unknown tokens', () => {
  // One Token Info call a minute for tokens it has not seen: a fresh budget for each test.
  let limited: TestApp;
  beforeEach(async () => {
    limited = await createTestApp({
      emulator: true,
      database: kit.database,
      tokenInfoGuard: createTokenInfoGuard({ overall: { burst: 1, perMinute: 1 } }),
    });
  });
  afterEach(() => limited.close());

  const newToken = () => limited.accessToken({ instanceId: randomUUID() });

  it('answers 429 too_many_requests with Retry-After, not 404', async () => {
    await expectProblem(
      await limited.call(GET, '/api/no/such/route', { auth: newToken() }),
      404,
      'not_found',
    );
    const response = await limited.call(GET, '/api/no/such/route', { auth: newToken() });
    await expectProblem(response, 429, 'too_many_requests');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(50);
  });

  it('answers a request with a body (which skipped the middleware) the same 429, with CORS headers', async () => {
    const origin = `https://${TEST_APP_ID}.wix.run`;
    await limited.call(GET, '/api/no/such/route', { auth: newToken() });
    const response = await limited.call(POST, '/api/no/such/route', {
      auth: newToken(),
      body: '{}',
      headers: { origin, 'content-length': '2' },
    });
    await expectProblem(response, 429, 'too_many_requests');
    expect(response.headers.get('retry-after')).toBeTruthy();
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
  });
});
