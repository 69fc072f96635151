import { describe, expect, it } from 'vitest';
import { DELETE, GET, PATCH, POST, PUT } from '@/app/api/[...path]/route';
import { apiRequest } from '../../../helpers/requests';

type Handler = (request: Request) => Promise<Response>;

describe('/api/[...path] (unknown API paths)', () => {
  it.each([
    ['GET', GET],
    ['POST', POST],
    ['PUT', PUT],
    ['PATCH', PATCH],
    ['DELETE', DELETE],
  ] as [string, Handler][])('answers %s with a 404 not_found problem', async (method, handler) => {
    const response = await handler(
      apiRequest('/api/no/such/route', {
        method,
        body: method === 'GET' ? undefined : '{}',
      }),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, code: 'not_found' });
  });
});
