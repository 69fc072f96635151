/**
 * `app.authenticate(request, options)` (src/app/authenticate.ts) on a real context: the test
 * kit's app over an in-memory PGlite, with the local Wix emulator answering Token Info and the
 * Wix API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthenticateOptions, Session } from '../../src/app/authenticate';
import { createAppContext } from '../../src/app/context';
import { ANY_CALLER } from '../../src/auth/identity';
import { createTokenInfoGuard } from '../../src/auth/token-info-guard';
import { TOKEN_INFO_BREAKER_SECONDS } from '../../src/wix/timeouts';
import { handleWixWebhook } from '../../src/app/webhooks';
import { DatabaseUnavailableError } from '../../src/db/errors';
import { AppError } from '../../src/errors/app-error';
import { toProblemResponse } from '../../src/http/problem';
import { getAppInstance } from '../../src/wix/get-app-instance';
import { OTHER_APP_ID } from '../../src/testing/test-credentials';
import { createTestApp, testAppConfig, testRequest, type TestApp } from '../../src/testing';

let kit: TestApp;
/** The context's clock: real time, moved by tests that need "later". */
let clock = Date.now();

beforeAll(async () => {
  kit = await createTestApp({ emulator: true, now: () => clock });
});
afterAll(() => kit?.close());
afterEach(() => {
  kit.emulator?.clearFaults();
  clock = Date.now();
});

const emulator = () => {
  if (!kit.emulator) throw new Error('the emulator did not start');
  return kit.emulator;
};

/** Authenticates a request to /api/me carrying `authorization` (and `headers`). */
const authenticate = (
  authorization: string | undefined,
  options?: AuthenticateOptions,
  headers: Record<string, string> = {},
): Promise<Session> =>
  kit.app.authenticate(testRequest('/api/me', { auth: authorization, headers }), options);

/** The AppError `run` rejects with, and the response the problem mapper makes of it. */
async function refusal(run: Promise<unknown>): Promise<{ error: AppError; response: Response }> {
  const error = await run.then(
    () => {
      throw new Error('expected app.authenticate to refuse');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return { error: error as AppError, response: toProblemResponse(error) };
}

async function expectRefused(run: Promise<unknown>, status: number, code: string) {
  const { error, response } = await refusal(run);
  expect({ code: error.code, status: response.status }).toEqual({ code, status });
  return { error, response };
}

describe('app.authenticate: refusals (401)', () => {
  const now = () => clock;
  const cases: [string, () => Promise<string | undefined>, string][] = [
    ['no Authorization header', async () => undefined, 'missing_credentials'],
    ['an empty Authorization header', async () => '', 'missing_credentials'],
    ['"Bearer " alone', async () => 'Bearer ', 'malformed_credentials'],
    ['no dot', async () => 'garbage', 'malformed_credentials'],
    ['two tokens', async () => 'abc.def ghi.jkl', 'malformed_credentials'],
    [
      'another secret’s signature',
      () => kit.signInstance({ secret: 'other-secret' }),
      'invalid_signature',
    ],
    ['another app’s instance', () => kit.signInstance({ appDefId: OTHER_APP_ID }), 'wrong_app'],
    [
      'an instance signed two days ago',
      () => kit.signInstance({ signDate: new Date(now() - 2 * 86_400_000).toISOString() }),
      'expired_instance',
    ],
    [
      'an instance signed an hour ahead',
      () => kit.signInstance({ signDate: new Date(now() + 3_600_000).toISOString() }),
      'instance_not_yet_valid',
    ],
    [
      'an access token Wix reports inactive',
      async () => kit.accessToken({ instanceId: randomUUID(), active: false }),
      'invalid_token',
    ],
    [
      'an access token issued to another app',
      async () => kit.accessToken({ instanceId: randomUUID(), clientId: OTHER_APP_ID }),
      'wrong_app',
    ],
  ];

  it.each(cases)('refuses %s with a 401 AppError naming the reason', async (_label, make, code) => {
    const { response } = await expectRefused(authenticate(await make()), 401, code);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('refuses a revoked access token with invalid_token', async () => {
    const token = kit.accessToken({ instanceId: randomUUID() });
    emulator().revokeToken(token);
    await expectRefused(authenticate(token), 401, 'invalid_token');
  });

  it('records no instance for a refused credential', async () => {
    const instanceId = randomUUID();
    await expectRefused(
      authenticate(await kit.signInstance({ instanceId, secret: 'other-secret' })),
      401,
      'invalid_signature',
    );
    expect(await kit.database.instances.getInstance(instanceId)).toBeNull();
  });

  it('refuses before opening the database', async () => {
    const database = vi.fn(async () => kit.database);
    const app = createAppContext(testAppConfig(), { database });
    await expect(app.authenticate(testRequest('/api/me'))).rejects.toMatchObject({
      code: 'missing_credentials',
    });
    expect(database).not.toHaveBeenCalled();
  });

  // The middleware once sealed the identity into this header; nothing reads it any more.
  it('does not take a client-sent x-wix-verified-identity header for a credential', async () => {
    await expectRefused(
      authenticate(undefined, {}, { 'x-wix-verified-identity': 'eyJ9.forged' }),
      401,
      'missing_credentials',
    );
  });
});

describe('app.authenticate: when it cannot tell (503)', () => {
  it('throws token_info_unavailable (503, Retry-After) when Token Info fails', async () => {
    emulator().setFaults({ status500: { count: 10 }, paths: ['/oauth2/token-info'] });
    const token = kit.accessToken({ instanceId: randomUUID() });
    const { response } = await expectRefused(authenticate(token), 503, 'token_info_unavailable');
    expect(response.headers.get('retry-after')).toBeTruthy();
  });

  it('does not cache an outage as a refusal: the same token passes once Token Info is back', async () => {
    const instanceId = randomUUID();
    const token = kit.accessToken({ instanceId });
    emulator().setFaults({ status500: { count: 10 }, paths: ['/oauth2/token-info'] });
    await expectRefused(authenticate(token), 503, 'token_info_unavailable');
    emulator().clearFaults();
    expect((await authenticate(token)).tenant.instanceId).toBe(instanceId);
  });

  it('does not ask Token Info again for a while after it failed, then does (the breaker)', async () => {
    let now = Date.now();
    const guarded = kit.withEnv({}, { now: () => now });
    const app = createAppContext(guarded.config, {
      now: () => now,
      database: kit.database,
      tokenInfoGuard: createTokenInfoGuard({ now: () => now }),
    });
    const instanceId = randomUUID();
    const check = (token: string) => app.authenticate(testRequest('/api/me', { auth: token }));
    emulator().setFaults({ status500: { count: 100 }, paths: ['/oauth2/token-info'] });
    await expectRefused(check(kit.accessToken({ instanceId })), 503, 'token_info_unavailable');
    emulator().resetStats();
    emulator().clearFaults();
    const { response } = await expectRefused(
      check(kit.accessToken({ instanceId })),
      503,
      'token_info_unavailable',
    );
    expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(
      TOKEN_INFO_BREAKER_SECONDS,
    );
    expect(emulator().stats().tokenInfoCalls).toBe(0);
    now += TOKEN_INFO_BREAKER_SECONDS * 1000;
    expect((await check(kit.accessToken({ instanceId }))).tenant.instanceId).toBe(instanceId);
    expect(emulator().stats().tokenInfoCalls).toBe(1);
  });

  it('throws database_unavailable (503) for a valid credential when the database is down', async () => {
    const app = createAppContext(testAppConfig(), {
      database: () => Promise.reject(new DatabaseUnavailableError()),
    });
    const { response } = await expectRefused(
      app.authenticate(testRequest('/api/me', { auth: await kit.signInstance() })),
      503,
      'database_unavailable',
    );
    expect(response.headers.get('retry-after')).toBe('5');
  });
});

describe('app.authenticate: what unknown tokens may cost (429)', () => {
  /** A context on the kit's database and emulator, with the given budgets and configuration. */
  function budgeted(
    budgets: Parameters<typeof createTokenInfoGuard>[0],
    env: Record<string, string | undefined> = {},
  ) {
    const app = createAppContext(kit.withEnv(env).config, {
      database: kit.database,
      tokenInfoGuard: createTokenInfoGuard(budgets),
    });
    return (token: string, headers: Record<string, string> = {}) =>
      app.authenticate(testRequest('/api/me', { auth: token, headers }));
  }
  const newToken = () => kit.accessToken({ instanceId: randomUUID() });

  it('throws too_many_requests (429, Retry-After) past the budget, without asking Wix', async () => {
    const check = budgeted({ overall: { burst: 1, perMinute: 1 } });
    await check(newToken());
    emulator().resetStats();
    const { error, response } = await expectRefused(check(newToken()), 429, 'too_many_requests');
    // One unit a minute, the only one just spent: about a minute to wait.
    expect(error.retryAfterSeconds).toBeGreaterThan(50);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(response.headers.get('retry-after')).toBe(String(error.retryAfterSeconds));
    expect(emulator().stats().tokenInfoCalls).toBe(0);
  });

  it('still lets through a token it knows and a signed instance past the budget', async () => {
    const check = budgeted({ overall: { burst: 1, perMinute: 1 } });
    const known = newToken();
    await check(known);
    await expectRefused(check(newToken()), 429, 'too_many_requests');
    expect((await check(known)).identity.credential).toBe('access-token');
    expect((await check(await kit.signInstance())).identity.credential).toBe('signed-instance');
  });

  it('keeps budgets per address from the header CLIENT_IP_HEADER names', async () => {
    const check = budgeted(
      { perClient: { burst: 1, perMinute: 1 }, overall: { burst: 100, perMinute: 1 } },
      { CLIENT_IP_HEADER: 'x-real-ip' },
    );
    const from = (address: string) => ({ 'x-real-ip': address });
    await check(newToken(), from('203.0.113.7'));
    await expectRefused(check(newToken(), from('203.0.113.7')), 429, 'too_many_requests');
    expect((await check(newToken(), from('198.51.100.2'))).identity.credential).toBe(
      'access-token',
    );
  });

  it('trusts no address header without CLIENT_IP_HEADER: every caller shares one budget', async () => {
    const check = budgeted({
      perClient: { burst: 1, perMinute: 1 },
      overall: { burst: 2, perMinute: 1 },
    });
    const from = (address: string) => ({ 'x-real-ip': address });
    // Unattributed requests spend only the overall budget, so one caller may spend all of it…
    await check(newToken(), from('203.0.113.7'));
    await check(newToken(), from('203.0.113.7'));
    // …and claiming another address does not buy a new budget.
    await expectRefused(check(newToken(), from('198.51.100.2')), 429, 'too_many_requests');
  });
});

describe('app.authenticate: a verified caller', () => {
  it('hands back the identity, the instance, the tenant and a Wix client for a signed instance', async () => {
    const instanceId = randomUUID();
    const session = await authenticate(
      await kit.signInstance({ instanceId, uid: 'user-7', vendorProductId: 'gold' }),
    );
    expect(session.identity).toMatchObject({
      credential: 'signed-instance',
      instanceId,
      uid: 'user-7',
      isOwner: true,
      vendorProductId: 'gold',
    });
    expect(session.instance).toMatchObject({ instanceId, status: null });
    expect(session.tenant.instanceId).toBe(instanceId);
    expect(session.tenant.db).toBe(kit.database.db);
    expect(session.tenant.engine).toBe(kit.database.engine);
    expect(session.wix.instanceId).toBe(instanceId);
  });

  it('hands back the token’s instance for a Wix access token', async () => {
    const instanceId = randomUUID();
    const session = await authenticate(
      kit.accessToken({ instanceId, subjectType: 'USER', subjectId: 'user-9' }),
    );
    expect(session.identity).toMatchObject({
      credential: 'access-token',
      instanceId,
      uid: 'user-9',
      isOwner: true,
    });
    expect(session.tenant.instanceId).toBe(instanceId);
    expect(session.wix.instanceId).toBe(instanceId);
  });

  it('records the instance the first time it is seen, and keeps firstSeenAt after that', async () => {
    const instanceId = randomUUID();
    const credential = await kit.signInstance({ instanceId });
    expect(await kit.database.instances.getInstance(instanceId)).toBeNull();
    const first = clock;

    expect((await authenticate(credential)).instance).toMatchObject({
      instanceId,
      firstSeenAt: new Date(first),
      lastSeenAt: new Date(first),
    });
    expect(await kit.database.instances.getInstance(instanceId)).toMatchObject({
      firstSeenAt: new Date(first),
    });

    clock = first + 5 * 60_000;
    const later = await authenticate(await kit.signInstance({ instanceId }));
    expect(later.instance).toMatchObject({
      firstSeenAt: new Date(first),
      lastSeenAt: new Date(clock),
    });
  });

  it('takes the tenant from the verified credential, never from the request', async () => {
    const instanceId = randomUUID();
    const other = randomUUID();
    const request = new Request(
      `http://localhost:3000/api/me?instanceId=${other}&instance_id=${other}`,
      {
        method: 'POST',
        headers: {
          authorization: await kit.signInstance({ instanceId }),
          'content-type': 'application/json',
          'x-wix-instance-id': other,
          'x-wix-verified-identity': JSON.stringify({ instanceId: other }),
        },
        body: JSON.stringify({ instanceId: other }),
      },
    );
    const session = await kit.app.authenticate(request);
    expect(session.identity.instanceId).toBe(instanceId);
    expect(session.tenant.instanceId).toBe(instanceId);
    expect(session.instance.instanceId).toBe(instanceId);
    expect(session.wix.instanceId).toBe(instanceId);
    expect(await kit.database.instances.getInstance(other)).toBeNull();
  });

  it('binds the Wix client to the verified instance: Get App Instance answers for it', async () => {
    const instanceId = randomUUID();
    const before = emulator().stats().apiCallsPerInstance[instanceId] ?? 0;
    const session = await authenticate(await kit.signInstance({ instanceId }));

    const info = await getAppInstance(session.wix);

    expect(info.instanceId).toBe(instanceId);
    expect(emulator().stats().apiCallsPerInstance[instanceId]).toBe(before + 1);
    expect(emulator().stats().tokensMintedPerInstance[instanceId]).toBe(1);
  });

  it('gives two callers two clients, each bound to its own instance', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const sessionA = await authenticate(await kit.signInstance({ instanceId: a }));
    const sessionB = await authenticate(kit.accessToken({ instanceId: b }));
    const [infoA, infoB] = await Promise.all([
      getAppInstance(sessionA.wix),
      getAppInstance(sessionB.wix),
    ]);
    expect([infoA.instanceId, infoB.instanceId]).toEqual([a, b]);
  });
});

describe('app.authenticate: the callers a route serves', () => {
  const token = (subjectType: 'USER' | 'MEMBER' | 'VISITOR' | 'APP', instanceId = randomUUID()) =>
    kit.accessToken({ instanceId, subjectType, subjectId: `${subjectType}-1` });

  it('names each credential’s caller: OWNER and USER the dashboard, a uid or MEMBER a member, neither a visitor, APP the app', async () => {
    const callerOf = async (credential: string) =>
      (await authenticate(credential, { callers: ANY_CALLER })).identity.caller;
    expect(await callerOf(await kit.signInstance({ owner: true }))).toBe('dashboard');
    expect(await callerOf(await kit.signInstance({ owner: false }))).toBe('member');
    expect(await callerOf(await kit.signInstance({ owner: false, uid: null }))).toBe('visitor');
    expect(await callerOf(token('USER'))).toBe('dashboard');
    expect(await callerOf(token('MEMBER'))).toBe('member');
    expect(await callerOf(token('VISITOR'))).toBe('visitor');
    expect(await callerOf(token('APP'))).toBe('app');
  });

  it('serves the dashboard alone by default: the owner and a USER token pass', async () => {
    expect((await authenticate(await kit.signInstance({ owner: true }))).identity.isOwner).toBe(
      true,
    );
    await expect(authenticate(token('USER'))).resolves.toBeTruthy();
  });

  it('refuses members, visitors and the app by default with caller_not_allowed (403), naming who it serves', async () => {
    for (const credential of [
      await kit.signInstance({ owner: false }),
      await kit.signInstance({ owner: false, uid: null }),
      token('MEMBER'),
      token('VISITOR'),
      token('APP'),
    ]) {
      const { response } = await expectRefused(authenticate(credential), 403, 'caller_not_allowed');
      expect(((await response.json()) as { callers: string[] }).callers).toEqual(['dashboard']);
    }
  });

  it('admits exactly the callers a route lists', async () => {
    const widget = { callers: ['member', 'visitor'] as const };
    await expect(authenticate(token('VISITOR'), widget)).resolves.toBeTruthy();
    await expect(authenticate(token('MEMBER'), widget)).resolves.toBeTruthy();
    await expectRefused(authenticate(token('USER'), widget), 403, 'caller_not_allowed');
    await expectRefused(authenticate(token('APP'), widget), 403, 'caller_not_allowed');
  });

  it('records nothing for a caller it refuses: a visitor flood on a dashboard route writes no row', async () => {
    const instanceId = randomUUID();
    await expectRefused(authenticate(token('VISITOR', instanceId)), 403, 'caller_not_allowed');
    const database = await kit.app.database();
    expect(await database.instances.getInstance(instanceId)).toBeNull();
  });
});

describe('app.authenticate: a removed instance', () => {
  const remove = async (instanceId: string, at = new Date(clock - 60_000)) => {
    const outcome = await kit.database.applyLifecycleEvent(
      { eventType: 'AppRemoved', instanceId, occurredAt: at, event: { kind: 'removed' } },
      { id: randomUUID(), receivedAt: at },
    );
    expect(outcome).toBe('applied');
  };

  it('refuses a removed instance with app_not_installed (403), though its credential is valid', async () => {
    const instanceId = randomUUID();
    await authenticate(await kit.signInstance({ instanceId }));
    await remove(instanceId);
    await expectRefused(
      authenticate(await kit.signInstance({ instanceId })),
      403,
      'app_not_installed',
    );
  });

  it('serves a removed instance with allowRemoved, showing it removed', async () => {
    const instanceId = randomUUID();
    await remove(instanceId);
    const session = await authenticate(await kit.signInstance({ instanceId }), {
      allowRemoved: true,
    });
    expect(session.instance).toMatchObject({ instanceId, status: 'removed' });
    expect(session.tenant.instanceId).toBe(instanceId);
  });

  it('refuses an instance removed through a signed AppRemoved webhook', async () => {
    const instanceId = randomUUID();
    const credential = await kit.signInstance({ instanceId });
    await authenticate(credential);
    const delivery = await kit.signWebhook('AppRemoved', instanceId);
    expect((await handleWixWebhook(kit.app, delivery)).outcome).toBe('applied');

    await expectRefused(authenticate(credential), 403, 'app_not_installed');
    expect((await authenticate(credential, { allowRemoved: true })).instance.status).toBe(
      'removed',
    );
  });

  it('serves the instance again once a newer AppInstalled arrives', async () => {
    const instanceId = randomUUID();
    await remove(instanceId, new Date(clock - 120_000));
    const delivery = await kit.signWebhook('AppInstalled', instanceId, {
      at: new Date(clock - 60_000),
    });
    expect((await handleWixWebhook(kit.app, delivery)).outcome).toBe('applied');
    const session = await authenticate(await kit.signInstance({ instanceId }));
    expect(session.instance.status).toBe('installed');
  });

  it('refuses a caller the route does not serve before saying the app is removed', async () => {
    const instanceId = randomUUID();
    await remove(instanceId);
    const member = await kit.signInstance({ instanceId, owner: false });
    await expectRefused(authenticate(member), 403, 'caller_not_allowed');
    await expectRefused(authenticate(member, { callers: ['member'] }), 403, 'app_not_installed');
  });
});

describe('app.authenticate: the plan option', () => {
  /** Applies a plan event for `instanceId`, dated a minute before the clock. */
  const buy = async (instanceId: string, plan: string) => {
    const at = new Date(clock - 60_000);
    const outcome = await kit.database.applyLifecycleEvent(
      {
        eventType: 'PaidPlanPurchased',
        instanceId,
        occurredAt: at,
        event: { kind: 'plan', plan, cycle: 'MONTHLY', expiresAt: new Date(clock + 86_400_000) },
      },
      { id: randomUUID(), receivedAt: at },
    );
    expect(outcome).toBe('applied');
  };

  it('lets a site with one of the plans named through, handing back its plan', async () => {
    const instanceId = randomUUID();
    await buy(instanceId, 'x');
    const session = await authenticate(await kit.signInstance({ instanceId }), { plan: ['x'] });
    expect(session.instance).toMatchObject({ instanceId, plan: 'x', planAutoRenews: true });
  });

  it('refuses another paid plan with plan_required (403), naming the plans that would do', async () => {
    const instanceId = randomUUID();
    await buy(instanceId, 'gold');
    const { error, response } = await expectRefused(
      authenticate(await kit.signInstance({ instanceId }), { plan: ['x'] }),
      403,
      'plan_required',
    );
    expect(error.extensions).toEqual({ plans: ['x'] });
    expect(await response.json()).toMatchObject({
      code: 'plan_required',
      detail: 'One of these plans gives access to this: x.',
      plans: ['x'],
    });
  });

  it('refuses the free plan, and lets any paid plan through with `plan: true` and no PREMIUM_PLANS', async () => {
    const free = randomUUID();
    const { error } = await expectRefused(
      authenticate(await kit.signInstance({ instanceId: free }), { plan: true }),
      403,
      'plan_required',
    );
    expect(error.extensions).toEqual({ plans: [] });
    const paid = randomUUID();
    await buy(paid, 'anything');
    await authenticate(await kit.signInstance({ instanceId: paid }), { plan: true });
  });

  it('takes the plans named over PREMIUM_PLANS', async () => {
    const app = kit.withEnv({ PREMIUM_PLANS: 'gold' });
    const instanceId = randomUUID();
    await buy(instanceId, 'x');
    const request = async (plan: true | string[]) =>
      app.app.authenticate(
        testRequest('/api/me', { auth: await app.signInstance({ instanceId }) }),
        { plan },
      );
    await request(['x']);
    const { error } = await expectRefused(request(true), 403, 'plan_required');
    expect(error.extensions).toEqual({ plans: ['gold'] });
  });

  it('says app_not_installed before plan_required to a removed site', async () => {
    const instanceId = randomUUID();
    const removedAt = new Date(clock - 30_000);
    await kit.database.applyLifecycleEvent(
      { eventType: 'AppRemoved', instanceId, occurredAt: removedAt, event: { kind: 'removed' } },
      { id: randomUUID(), receivedAt: removedAt },
    );
    await expectRefused(
      authenticate(await kit.signInstance({ instanceId }), { plan: ['x'] }),
      403,
      'app_not_installed',
    );
  });
});
