import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getMe } from '@/app/api/me/route';
import * as settingsRoute from '@/app/api/settings/route';
import { createTokenInfoGuard } from 'wix-app-backend/auth/token-info-guard';
import type { WidgetTokenOptions, WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { OTHER_APP_ID } from 'wix-app-backend/testing/test-credentials';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';

// Token Info goes to the local Wix emulator the kit starts.
let kit: TestApp;
let emulator: WixEmulator;
beforeAll(async () => {
  kit = await createTestApp({ emulator: true });
  emulator = kit.emulator!;
});
afterAll(() => kit.close());

const widgetToken = (options: Partial<WidgetTokenOptions> = {}) =>
  kit.accessToken({ instanceId: randomUUID(), ...options });

const me = (authorization: string) => kit.call(getMe, '/api/me', { auth: authorization });

describe('GET /api/me with a Wix access token', () => {
  it('answers who a USER token says the caller is: the owner, with the token’s instance', async () => {
    const instanceId = randomUUID();
    const token = widgetToken({ instanceId, subjectType: 'USER', subjectId: 'user-7' });
    const response = await me(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      instanceId,
      uid: 'user-7',
      permissions: null,
      isOwner: true,
      caller: 'dashboard',
      credential: 'access-token',
      firstSeenAt: expect.any(String),
      subjectType: 'USER',
      subjectId: 'user-7',
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      installation: { status: 'unknown', removedAt: null, plan: null },
    });
  });

  it('accepts the token with a Bearer prefix', async () => {
    const response = await me(`Bearer ${widgetToken({ subjectType: 'USER' })}`);
    expect(response.status).toBe(200);
  });

  it.each([
    ['VISITOR', 'visitor'],
    ['MEMBER', 'member'],
    ['APP', 'app'],
  ] as const)('reports a %s as not the owner, as the caller %s', async (subjectType, caller) => {
    const response = await me(widgetToken({ subjectType }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      credential: 'access-token',
      subjectType,
      caller,
      isOwner: false,
      uid: null,
    });
  });

  it('answers 401 wrong_app for another app’s token', async () => {
    const response = await me(widgetToken({ clientId: OTHER_APP_ID, subjectType: 'USER' }));
    await expectProblem(response, 401, 'wrong_app');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('answers 401 invalid_token for an inactive token', async () => {
    await expectProblem(await me(widgetToken({ active: false })), 401, 'invalid_token');
  });

  it('answers 401 invalid_token for a token Wix never issued', async () => {
    await expectProblem(await me(`OauthNG.JWS.${randomUUID()}.x.y`), 401, 'invalid_token');
  });

  it('answers 401 invalid_token for a token without an instance', async () => {
    await expectProblem(await me(widgetToken({ omitInstanceId: true })), 401, 'invalid_token');
  });

  it('asks Token Info once for repeated requests with one token', async () => {
    const token = widgetToken({ subjectType: 'USER' });
    const before = emulator.stats().tokenInfoCalls;
    for (let i = 0; i < 5; i++) expect((await me(token)).status).toBe(200);
    expect(emulator.stats().tokenInfoCalls - before).toBe(1);
  });

  it('never shows the token in an answer', async () => {
    const token = widgetToken({ clientId: OTHER_APP_ID });
    const response = await me(token);
    const text = [...response.headers].join('\n') + (await response.text());
    expect(text).not.toContain(token);
  });
});

describe('PUT /api/settings with a Wix access token', () => {
  const put = (authorization: string) =>
    kit.call(settingsRoute.PUT, '/api/settings', {
      method: 'PUT',
      auth: authorization,
      headers: { 'if-match': '"0"' },
      json: { greeting: 'Saved from a settings panel', theme: 'dark', notificationEmail: null },
    });

  it('saves for a USER (the owner), under the token’s instance', async () => {
    const instanceId = randomUUID();
    const token = widgetToken({ instanceId, subjectType: 'USER', subjectId: 'user-7' });
    const response = await put(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      settings: { greeting: 'Saved from a settings panel' },
      version: 1,
      updatedBy: 'user-7',
    });
    const read = await kit.call(settingsRoute.GET, '/api/settings', { auth: token });
    expect(await read.json()).toMatchObject({ version: 1, updatedBy: 'user-7' });
  });

  it.each(['VISITOR', 'MEMBER'] as const)(
    'answers 403 caller_not_allowed for a %s',
    async (subject) => {
      await expectProblem(
        await put(widgetToken({ subjectType: subject })),
        403,
        'caller_not_allowed',
      );
    },
  );

  it.each(['VISITOR', 'MEMBER'] as const)(
    'reads a %s only what the site shows: no notification email, no updatedBy',
    async (subject) => {
      const instanceId = randomUUID();
      const owner = widgetToken({ subjectType: 'USER', instanceId });
      const saved = await kit.call(settingsRoute.PUT, '/api/settings', {
        method: 'PUT',
        auth: owner,
        headers: { 'if-match': '"0"' },
        json: { greeting: 'Welcome', theme: 'dark', notificationEmail: 'owner@example.com' },
      });
      expect(saved.status).toBe(200);
      const read = await kit.call(settingsRoute.GET, '/api/settings', {
        auth: widgetToken({ subjectType: subject, instanceId }),
      });
      expect(read.status).toBe(200);
      expect(read.headers.get('etag')).toBe('"1"');
      expect(await read.json()).toEqual({
        settings: { greeting: 'Welcome', theme: 'dark' },
        version: 1,
      });
    },
  );
});

describe('GET /api/me past the budget for unknown tokens', () => {
  // One Token Info call a minute for tokens it has not seen, on the kit's database.
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp({
      emulator: true,
      database: kit.database,
      tokenInfoGuard: createTokenInfoGuard({ overall: { burst: 1, perMinute: 1 } }),
    });
  });
  afterAll(() => limited.close());

  const newToken = () => limited.accessToken({ instanceId: randomUUID(), subjectType: 'USER' });
  const meOf = (auth: string) => limited.call(getMe, '/api/me', { auth });

  it('answers 429 too_many_requests with Retry-After, asking Wix nothing', async () => {
    const known = newToken();
    expect((await meOf(known)).status).toBe(200);
    const tokenInfoCalls = limited.emulator!.stats().tokenInfoCalls;

    const response = await meOf(newToken());
    await expectProblem(response, 429, 'too_many_requests');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.emulator!.stats().tokenInfoCalls).toBe(tokenInfoCalls);

    // What costs Wix nothing still works: the token it knows, and a signed instance.
    expect((await meOf(known)).status).toBe(200);
    expect((await meOf(await limited.signInstance())).status).toBe(200);
  });
});

// The same app with Wix out of reach (nothing listens on port 9): the shared emulator stays up
// for the other tests, whatever order they run in.
describe('GET /api/me when Token Info is down', () => {
  const meWithoutWix = async (authorization: string) => {
    const down = kit.withEnv({ WIX_API_BASE_URL: 'http://127.0.0.1:9' });
    return down.call(getMe, '/api/me', { auth: authorization });
  };

  it('answers 503 token_info_unavailable with Retry-After', async () => {
    const response = await meWithoutWix(widgetToken({ subjectType: 'USER' }));
    await expectProblem(response, 503, 'token_info_unavailable');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('still answers a signed instance, which needs no call to Wix', async () => {
    const response = await meWithoutWix(await kit.signInstance());
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ credential: 'signed-instance' });
  });
});
