import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/(demo)/api/dev/access-token/route';
import { GET as getMe } from '@/app/api/me/route';
import { DEV_APP_ID, DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import {
  createTestApp,
  expectProblem,
  TEST_APP_ID,
  TEST_APP_SECRET,
  type TestApp,
} from '@/test/kit';

/**
 * `npm run dev` without credentials: development, on the public development credentials, with
 * Wix calls going to the local emulator (WIX_EMULATOR=1), which is emulating the development app.
 */
let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({
    emulator: { appId: DEV_APP_ID, appSecret: DEV_APP_SECRET },
    env: { NODE_ENV: 'development', WIX_APP_ID: '', WIX_APP_SECRET: '', WIX_EMULATOR: '1' },
  });
});
afterAll(() => kit.close());

interface IssuedToken {
  token: string;
  instanceId: string;
  subjectType: string;
}

describe('GET /api/dev/access-token on the development credentials and the emulator', () => {
  it.each(['a', 'b'] as const)(
    'issues a USER token for sample site %s that /api/me accepts as the site’s owner',
    async (site) => {
      const response = await kit.call(GET, `/api/dev/access-token?site=${site}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const issued = (await response.json()) as IssuedToken;
      expect(issued).toEqual({
        token: expect.any(String),
        instanceId: DEV_SAMPLE_SITES[site].instanceId,
        subjectType: 'USER',
      });

      const me = await kit.call(getMe, '/api/me', { auth: issued.token });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        instanceId: DEV_SAMPLE_SITES[site].instanceId,
        credential: 'access-token',
        subjectType: 'USER',
        isOwner: true,
      });
    },
  );

  it.each(['MEMBER', 'VISITOR'])(
    'issues a %s token that /api/me reports as not the owner',
    async (subject) => {
      const response = await kit.call(GET, `/api/dev/access-token?site=a&subject=${subject}`);
      expect(response.status).toBe(200);
      const issued = (await response.json()) as IssuedToken;
      expect(issued.subjectType).toBe(subject);
      const me = await kit.call(getMe, '/api/me', { auth: issued.token });
      expect(await me.json()).toMatchObject({ subjectType: subject, isOwner: false });
    },
  );

  it('does not include the app secret in what it returns', async () => {
    const response = await kit.call(GET, '/api/dev/access-token?site=a');
    expect(await response.text()).not.toContain(DEV_APP_SECRET);
  });

  it.each([
    ['an unknown site', 'site=zzz'],
    ['no site', ''],
    ['an unknown subject', 'site=a&subject=ADMIN'],
    ['a lower-case subject', 'site=a&subject=user'],
  ])('answers 400 invalid_request for %s', async (_label, query) => {
    const response = await kit.call(GET, `/api/dev/access-token?${query}`);
    await expectProblem(response, 400, 'invalid_request');
  });

  it('answers 502 wix_unavailable when the emulator does not answer', async () => {
    const app = kit.withEnv({ WIX_API_BASE_URL: 'http://127.0.0.1:9' });
    expect(app.config.usingWixEmulator).toBe(true);
    const response = await app.call(GET, '/api/dev/access-token?site=a');
    await expectProblem(response, 502, 'wix_unavailable');
  });
});

describe('GET /api/dev/access-token elsewhere', () => {
  it('answers 404 on the development credentials when Wix calls do not go to the emulator', async () => {
    const app = kit.withEnv({ WIX_EMULATOR: '' });
    const response = await app.call(GET, '/api/dev/access-token?site=a');
    const body = await expectProblem(response, 404, 'not_found');
    expect(body).not.toHaveProperty('token');
  });

  it.each(['development', 'test', 'production'])(
    'answers 404 and issues nothing with a configured secret, NODE_ENV=%s',
    async (nodeEnv) => {
      const app = kit.withEnv({
        NODE_ENV: nodeEnv,
        WIX_APP_ID: TEST_APP_ID,
        WIX_APP_SECRET: TEST_APP_SECRET,
      });
      const before = kit.emulator!.stats().requests;
      const response = await app.call(GET, '/api/dev/access-token?site=a');
      const body = await expectProblem(response, 404, 'not_found');
      expect(body).not.toHaveProperty('token');
      expect(kit.emulator!.stats().requests).toBe(before);
    },
  );
});
