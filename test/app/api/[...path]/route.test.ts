import { afterAll, beforeAll, describe, it } from 'vitest';
import { DELETE, GET, PATCH, POST, PUT } from '@/app/api/[...path]/route';
import { createTestApp, expectProblem, type TestApp } from '../../../kit';

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
