import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/(demo)/api/dev/instance/route';
import { createInstanceVerifier } from 'wix-app-backend/auth/verify-instance';
import { DEV_APP_ID, DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';

let kit: TestApp;
/** `npm run dev` without credentials: development, on the public development credentials. */
let dev: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
  dev = kit.withEnv({ NODE_ENV: 'development', WIX_APP_ID: '', WIX_APP_SECRET: '' });
});
afterAll(() => kit.close());

describe('GET /api/dev/instance on the development credentials', () => {
  const verify = createInstanceVerifier({
    secret: DEV_APP_SECRET,
    appId: DEV_APP_ID,
    maxAgeSeconds: 86_400,
  });

  it.each(['a', 'b'] as const)(
    'mints an instance for sample site %s that the verifier accepts',
    async (site) => {
      const response = await dev.call(GET, `/api/dev/instance?site=${site}`);
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
    const response = await dev.call(GET, '/api/dev/instance?site=a');
    expect(await response.text()).not.toContain(DEV_APP_SECRET);
  });

  it.each(['zzz', '', 'A', 'a,b', 'constructor'])(
    'answers 400 invalid_request for site=%j',
    async (site) => {
      const response = await dev.call(GET, `/api/dev/instance?site=${encodeURIComponent(site)}`);
      await expectProblem(response, 400, 'invalid_request');
    },
  );

  it('answers 400 invalid_request without a site', async () => {
    await expectProblem(await dev.call(GET, '/api/dev/instance'), 400, 'invalid_request');
  });
});

describe('GET /api/dev/instance with a configured secret', () => {
  it.each(['development', 'test', 'production'])(
    'answers 404 and signs nothing when NODE_ENV=%s',
    async (nodeEnv) => {
      const response = await kit
        .withEnv({ NODE_ENV: nodeEnv })
        .call(GET, '/api/dev/instance?site=a');
      const body = await expectProblem(response, 404, 'not_found');
      expect(body).not.toHaveProperty('instance');
    },
  );
});
