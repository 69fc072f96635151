import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/health/route';
import { createTestApp, type TestApp } from '@/test/kit';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

describe('GET /api/health', () => {
  it('answers 200 {status: "ok"} without credentials', async () => {
    const response = await kit.call(GET, '/api/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ status: 'ok', database: { engine: 'pglite' } });
  });

  it('ignores whatever Authorization is sent', async () => {
    const response = await kit.call(GET, '/api/health', { auth: 'garbage' });
    expect(response.status).toBe(200);
  });
});
