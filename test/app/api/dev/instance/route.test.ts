import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createInstanceVerifier } from '@/lib/auth/verify-instance';
import { DEV_APP_ID, DEV_APP_SECRET } from '@/lib/config/dev-credentials';
import { DEV_SAMPLE_SITES } from '@/lib/dev/sample-sites';
import { apiRequest } from '../../../../helpers/requests';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../../../helpers/test-credentials';

/** The route with configuration parsed afresh from `env` (the app caches it per process). */
async function routeWith(env: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import('@/app/api/dev/instance/route')).GET;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('GET /api/dev/instance on the development credentials', () => {
  let GET: Awaited<ReturnType<typeof routeWith>>;
  beforeEach(async () => {
    GET = await routeWith({ NODE_ENV: 'development', WIX_APP_ID: '', WIX_APP_SECRET: '' });
  });

  const verify = createInstanceVerifier({
    secret: DEV_APP_SECRET,
    appId: DEV_APP_ID,
    maxAgeSeconds: 86_400,
  });

  it.each(['a', 'b'] as const)(
    'mints an instance for sample site %s that the verifier accepts',
    async (site) => {
      const response = await GET(apiRequest(`/api/dev/instance?site=${site}`));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as {
        instance: string;
        instanceId: string;
        site: string;
      };
      expect(body.site).toBe(site);
      expect(body.instanceId).toBe(DEV_SAMPLE_SITES[site].instanceId);
      const result = await verify(body.instance);
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.value.instanceId).toBe(DEV_SAMPLE_SITES[site].instanceId);
        expect(result.value.appDefId).toBe(DEV_APP_ID);
        expect(result.value.isOwner).toBe(true);
      }
    },
  );

  it('does not include the app secret in what it returns', async () => {
    const response = await GET(apiRequest('/api/dev/instance?site=a'));
    expect(await response.text()).not.toContain(DEV_APP_SECRET);
  });

  it.each(['zzz', '', 'A', 'a,b', 'constructor'])(
    'answers 400 invalid_request for site=%j',
    async (site) => {
      const response = await GET(apiRequest(`/api/dev/instance?site=${encodeURIComponent(site)}`));
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 400, code: 'invalid_request' });
    },
  );

  it('answers 400 invalid_request without a site', async () => {
    const response = await GET(apiRequest('/api/dev/instance'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_request' });
  });
});

describe('GET /api/dev/instance with a configured secret', () => {
  it.each(['development', 'test', 'production'])(
    'answers 404 and signs nothing when NODE_ENV=%s',
    async (nodeEnv) => {
      const GET = await routeWith({
        NODE_ENV: nodeEnv,
        WIX_APP_ID: TEST_APP_ID,
        WIX_APP_SECRET: TEST_APP_SECRET,
      });
      const response = await GET(apiRequest('/api/dev/instance?site=a'));
      expect(response.status).toBe(404);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ code: 'not_found' });
      expect(body).not.toHaveProperty('instance');
    },
  );
});
