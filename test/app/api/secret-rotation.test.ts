/**
 * Changing the app secret (WIX_APP_SECRET_PREVIOUS), through the routes: while the previous
 * secret is configured, pages signed before the change and app tokens sealed before it keep
 * working; once it is removed, an instance signed with it is a forgery like any other.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getMe } from '@/app/api/me/route';
import { GET as getWixInstance } from '@/app/api/wix/instance/route';
import { createTestApp, expectProblem, TEST_APP_SECRET, type TestApp } from '@/test/kit';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ emulator: true });
});
afterAll(() => kit.close());

const PREVIOUS = 'the-app-secret-before-it-was-regenerated';

const me = (app: TestApp, auth: string) => app.call(getMe, '/api/me', { auth });

describe('GET /api/me while the app secret changes', () => {
  it('answers an instance signed with the previous secret while WIX_APP_SECRET_PREVIOUS is set', async () => {
    const instanceId = randomUUID();
    const rotating = kit.withEnv({ WIX_APP_SECRET_PREVIOUS: PREVIOUS });
    const response = await me(rotating, await kit.signInstance({ instanceId, secret: PREVIOUS }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ instanceId, credential: 'signed-instance' });
  });

  it('answers 401 invalid_signature for it once WIX_APP_SECRET_PREVIOUS is removed', async () => {
    const auth = await kit.signInstance({ secret: PREVIOUS });
    const rotating = kit.withEnv({ WIX_APP_SECRET_PREVIOUS: PREVIOUS });
    expect((await me(rotating, auth)).status).toBe(200);
    const done = kit.withEnv({ WIX_APP_SECRET_PREVIOUS: undefined });
    await expectProblem(await me(done, auth), 401, 'invalid_signature');
  });

  it('answers an instance signed with the current secret throughout', async () => {
    const auth = await kit.signInstance();
    expect((await me(kit.withEnv({ WIX_APP_SECRET_PREVIOUS: PREVIOUS }), auth)).status).toBe(200);
    expect((await me(kit, auth)).status).toBe(200);
  });
});

describe('GET /api/wix/instance while the app secret changes', () => {
  // The emulator knows one secret, TEST_APP_SECRET: here it plays the previous one, under which
  // the app token was minted and sealed. After the change the app runs on a new secret that the
  // emulator would refuse, so a second mint would fail: the stored token must be opened.
  const NEW = 'the-app-secret-after-it-was-regenerated';
  const mints = (id: string) => kit.emulator!.stats().tokensMintedPerInstance[id] ?? 0;

  it('calls Wix with the app token sealed under the previous secret, minting none', async () => {
    const instanceId = randomUUID();
    const before = await kit.call(getWixInstance, '/api/wix/instance', {
      auth: await kit.signInstance({ instanceId }),
    });
    expect(before.status).toBe(200);
    expect(mints(instanceId)).toBe(1);

    const rotated = kit.withEnv({ WIX_APP_SECRET: NEW, WIX_APP_SECRET_PREVIOUS: TEST_APP_SECRET });
    const after = await rotated.call(getWixInstance, '/api/wix/instance', {
      auth: await rotated.signInstance({ instanceId, secret: NEW }),
    });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ instanceId });
    expect(mints(instanceId)).toBe(1);
  });
});
