/**
 * Plans end to end: app-instance plan events through POST /api/webhooks/wix, the plan as
 * GET /api/me shows it, and GET /api/examples/premium (`app.authenticate(request, { plan: true })`)
 * letting paid sites in — whatever order the events arrive in, and as time passes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as premium } from '@/app/api/examples/premium/route';
import { GET as getMe } from '@/app/api/me/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import type { PlanView } from 'wix-app-backend/instances/plan';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';

const SECOND = 1_000;
const DAY = 24 * 3600 * SECOND;
/** packages/wix-app-backend/src/dev/sign-webhook.ts dates a plan's expiry 30 days after the event. */
const PERIOD = 30 * DAY;

/** The context's clock, in whole seconds (a JWT's iat is): set before each test, moved by some. */
let clock = 0;
beforeEach(() => {
  clock = Math.floor(Date.now() / SECOND) * SECOND;
});

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ now: () => clock });
});
afterAll(() => kit.close());

/** Signs `eventType` as Wix would, dated `secondsAgo` before the clock, and POSTs it. */
async function deliver(
  eventType: string,
  instanceId: string,
  secondsAgo: number,
  plan: { plan?: string; cycle?: string } = {},
  app: TestApp = kit,
): Promise<string> {
  const body = await app.signWebhook(eventType, instanceId, {
    at: new Date(clock - secondsAgo * SECOND),
    ...plan,
  });
  const response = await app.call(webhook, '/api/webhooks/wix', { body });
  expect(response.status).toBe(200);
  return ((await response.json()) as { outcome: string }).outcome;
}

async function planOnMe(instanceId: string): Promise<PlanView | null> {
  const response = await kit.call(getMe, '/api/me', {
    auth: await kit.signInstance({ instanceId }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { installation: { plan: PlanView | null } }).installation.plan;
}

const getPremium = async (instanceId: string, app: TestApp = kit) =>
  app.call(premium, '/api/examples/premium', { auth: await app.signInstance({ instanceId }) });

async function expectPremium(instanceId: string, app: TestApp = kit): Promise<PlanView> {
  const response = await getPremium(instanceId, app);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { premium: boolean; plan: PlanView };
  expect(body.premium).toBe(true);
  return body.plan;
}

async function expectPlanRequired(instanceId: string, plans: string[], app: TestApp = kit) {
  const problem = await expectProblem(await getPremium(instanceId, app), 403, 'plan_required');
  expect((problem as unknown as { plans: string[] }).plans).toEqual(plans);
  return problem;
}

const expiryOf = (secondsAgo: number) =>
  new Date(clock - secondsAgo * SECOND + PERIOD).toISOString();

describe('the plan events, as GET /api/me shows the plan', () => {
  it.each(['PaidPlanPurchased', 'PaidPlanChanged', 'PlanConvertedToPaid', 'PlanReactivated'])(
    '%s sets the plan, its cycle and expiry, renewing: paid, and premium lets it in',
    async (eventType) => {
      const instanceId = randomUUID();
      expect(await deliver(eventType, instanceId, 60, { plan: 'gold', cycle: 'YEARLY' })).toBe(
        'applied',
      );
      const expected: PlanView = {
        id: 'gold',
        cycle: 'YEARLY',
        expiresAt: expiryOf(60),
        autoRenews: true,
        paid: true,
      };
      expect(await planOnMe(instanceId)).toEqual(expected);
      expect(await expectPremium(instanceId)).toEqual(expected);
    },
  );

  it('PlanTransferred changes the plan but keeps the expiry and renewal it had', async () => {
    const instanceId = randomUUID();
    await deliver('PaidPlanPurchased', instanceId, 180, { plan: 'gold', cycle: 'MONTHLY' });
    await deliver('PaidPlanAutoRenewalCancelled', instanceId, 120, { plan: 'gold' });
    expect(
      await deliver('PlanTransferred', instanceId, 60, { plan: 'gold', cycle: 'YEARLY' }),
    ).toBe('applied');
    expect(await planOnMe(instanceId)).toEqual({
      id: 'gold',
      cycle: 'YEARLY',
      expiresAt: expiryOf(180),
      autoRenews: false,
      paid: true,
    });
  });

  it('PaidPlanAutoRenewalCancelled keeps the site paid until the plan expires, then premium says 403', async () => {
    const instanceId = randomUUID();
    await deliver('PaidPlanPurchased', instanceId, 120, { plan: 'gold' });
    expect(await deliver('PaidPlanAutoRenewalCancelled', instanceId, 60, { plan: 'gold' })).toBe(
      'applied',
    );
    const expiresAt = expiryOf(120);
    expect(await planOnMe(instanceId)).toMatchObject({ autoRenews: false, expiresAt, paid: true });
    await expectPremium(instanceId);

    clock = Date.parse(expiresAt) - SECOND;
    await expectPremium(instanceId);
    clock = Date.parse(expiresAt);
    await expectPlanRequired(instanceId, []);
    expect(await planOnMe(instanceId)).toEqual({
      id: 'gold',
      cycle: 'MONTHLY',
      expiresAt,
      autoRenews: false,
      paid: false,
    });
  });

  it('keeps a plan past its expiry that still renews paid: a billing issue, not a downgrade', async () => {
    const instanceId = randomUUID();
    await deliver('PaidPlanPurchased', instanceId, 60, { plan: 'gold' });
    clock += PERIOD + 10 * DAY;
    expect(await planOnMe(instanceId)).toMatchObject({ autoRenews: true, paid: true });
    await expectPremium(instanceId);
  });

  it('renews again after a newer PlanReactivated, so expiry no longer ends it', async () => {
    const instanceId = randomUUID();
    await deliver('PaidPlanPurchased', instanceId, 180, { plan: 'gold' });
    await deliver('PaidPlanAutoRenewalCancelled', instanceId, 120, { plan: 'gold' });
    expect(await deliver('PlanReactivated', instanceId, 60, { plan: 'gold' })).toBe('applied');
    expect(await planOnMe(instanceId)).toMatchObject({ autoRenews: true, paid: true });
    clock += PERIOD + DAY;
    await expectPremium(instanceId);
  });

  it('shows no plan for a site on the free plan', async () => {
    expect(await planOnMe(randomUUID())).toBeNull();
  });
});

describe('the plan, whatever order its events arrive in', () => {
  it('does not let a stale PaidPlanPurchased arriving after a newer PaidPlanChanged win', async () => {
    const instanceId = randomUUID();
    const gold = kit.withEnv({ PREMIUM_PLANS: 'gold' });
    expect(await deliver('PaidPlanChanged', instanceId, 60, { plan: 'gold' })).toBe('applied');
    expect(await deliver('PaidPlanPurchased', instanceId, 120, { plan: 'silver' })).toBe('stale');
    expect(await planOnMe(instanceId)).toMatchObject({ id: 'gold', expiresAt: expiryOf(60) });
    await expectPremium(instanceId, gold);
  });

  const events = [
    { eventType: 'PaidPlanPurchased', secondsAgo: 180, plan: 'silver' },
    { eventType: 'PaidPlanChanged', secondsAgo: 120, plan: 'gold' },
    { eventType: 'PaidPlanAutoRenewalCancelled', secondsAgo: 60, plan: 'gold' },
  ];
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];

  const arrival = (order: number[]) =>
    order.map((i) => `${events[i]!.eventType} (${events[i]!.secondsAgo} s ago)`).join(', ');

  it.each(orders.map((order) => [arrival(order), order] as const))(
    'ends on the newest, gold and not renewing, when the events arrive as %s',
    async (_arrival, order) => {
      const instanceId = randomUUID();
      for (const i of order) {
        const { eventType, secondsAgo, plan } = events[i]!;
        await deliver(eventType, instanceId, secondsAgo, { plan });
      }
      const expected = {
        id: 'gold',
        cycle: 'MONTHLY',
        expiresAt: expiryOf(120),
        autoRenews: false,
        paid: true,
      };
      expect(await planOnMe(instanceId)).toEqual(expected);
      expect(await expectPremium(instanceId, kit.withEnv({ PREMIUM_PLANS: 'gold' }))).toEqual(
        expected,
      );
      clock = Date.parse(expected.expiresAt);
      await expectPlanRequired(instanceId, []);
    },
  );
});

describe('GET /api/examples/premium: who gets in', () => {
  it('refuses a site on the free plan with 403 plan_required: any paid plan would do', async () => {
    const problem = await expectPlanRequired(randomUUID(), []);
    expect(problem.detail).toBe('Any paid plan of the app gives access to this.');
  });

  it('with PREMIUM_PLANS=gold,platinum, refuses silver naming the plans that would do, and lets gold in', async () => {
    const instanceId = randomUUID();
    const premiumPlans = kit.withEnv({ PREMIUM_PLANS: 'gold,platinum' });
    await deliver('PaidPlanPurchased', instanceId, 120, { plan: 'silver' });
    // Any paid plan, by default.
    await expectPremium(instanceId);
    const problem = await expectPlanRequired(instanceId, ['gold', 'platinum'], premiumPlans);
    expect(problem.detail).toBe('One of these plans gives access to this: gold, platinum.');

    await deliver('PaidPlanChanged', instanceId, 60, { plan: 'gold' });
    expect(await expectPremium(instanceId, premiumPlans)).toMatchObject({ id: 'gold' });
  });

  it('refuses a paid site once the app is removed, with 403 app_not_installed', async () => {
    const instanceId = randomUUID();
    await deliver('AppInstalled', instanceId, 300);
    await deliver('PaidPlanPurchased', instanceId, 200, { plan: 'gold' });
    await expectPremium(instanceId);
    expect(await deliver('AppRemoved', instanceId, 100)).toBe('applied');
    await expectProblem(await getPremium(instanceId), 403, 'app_not_installed');
  });

  it('answers 401 without a credential', async () => {
    await expectProblem(
      await kit.call(premium, '/api/examples/premium'),
      401,
      'missing_credentials',
    );
  });
});
