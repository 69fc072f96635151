import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/health/route';
import { closeDatabase, getDatabase } from '@/lib/server/database';
import { apiRequest } from '../../../helpers/requests';

// Health pings the (in-memory) database; open it once, up front.
beforeAll(async () => {
  await getDatabase();
});
afterAll(closeDatabase);

describe('GET /api/health', () => {
  it('answers 200 {status: "ok"} without credentials', async () => {
    const response = await GET(apiRequest('/api/health'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('ignores whatever Authorization is sent', async () => {
    const response = await GET(
      apiRequest('/api/health', { headers: { authorization: 'garbage' } }),
    );
    expect(response.status).toBe(200);
  });
});
