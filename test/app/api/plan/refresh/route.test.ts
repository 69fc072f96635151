/**
 * POST /api/plan/refresh: asks Wix (Get App Instance, here the local emulator) for the caller's
 * plan and records it as of now, so that GET /api/examples/premium follows it — and an event
 * older than the refresh does not undo it, while a newer one does.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as premium } from '@/app/api/examples/premium/route';
import { GET as getMe } from '@/app/api/me/route';
import { POST } from '@/app/api/plan/refresh/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import type { WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import type { PlanView } from 'wix-app-backend/instances/plan';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';

const SECOND = 1_000;
const DAY = 24 * 3600 * SECOND;

/** The context's clock: real time in whole seconds, moved forward by tests that need "later". */
let clock = 0;
beforeEach(() => {
  clock = Math.floor(Date.now() / SECOND) * SECOND;
});

let kit: TestApp;
let emulator: WixEmulator;
beforeAll(async () => {
  kit = await createTestApp({ emulator: true, now: () => clock });
  emulator = kit.emulator!;
});
afterAll(() => kit.close());

const auth = (instanceId: string, app = kit) => app.signInstance({ instanceId });

async function refresh(instanceId: string): Promise<PlanView> {
  const response = await kit.call(POST, '/api/plan/refresh', {
    method: 'POST',
    auth: await auth(instanceId),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { plan: PlanView }).plan;
}

const getPremium = async (instanceId: string, app = kit) =>
  app.call(premium, '/api/examples/premium', { auth: await auth(instanceId, app) });

async function planOnMe(instanceId: string) {
  const response = await kit.call(getMe, '/api/me', { auth: await auth(instanceId) });
  return ((await response.json()) as { installation: { plan: PlanView | null } }).installation.plan;
}

/** A PaidPlanChanged to `plan`, dated `at`, through the webhook route; returns its outcome. */
async function planChanged(instanceId: string, plan: string, at: number): Promise<string> {
  const body = await kit.signWebhook('PaidPlanChanged', instanceId, { at: new Date(at), plan });
  const response = await kit.call(webhook, '/api/webhooks/wix', { body });
  expect(response.status).toBe(200);
  return ((await response.json()) as { outcome: string }).outcome;
}

describe('POST /api/plan/refresh', () => {
  it('records the paid plan Wix reports, so premium lets the site in', async () => {
    const instanceId = randomUUID();
    emulator.setInstance(instanceId, { paid: { vendorProductId: 'gold' } });
    // No event told us yet.
    await expectProblem(await getPremium(instanceId), 403, 'plan_required');

    const plan = await refresh(instanceId);
    expect(plan).toEqual({
      id: 'gold',
      cycle: 'MONTHLY',
      expiresAt: expect.any(String),
      autoRenews: true,
      paid: true,
    });
    // The emulator bills 30 days from when the plan was set: just now.
    expect(Date.parse(plan.expiresAt!) - Date.now()).toBeGreaterThan(29 * DAY);
    expect(Date.parse(plan.expiresAt!) - Date.now()).toBeLessThanOrEqual(30 * DAY);
    expect(await planOnMe(instanceId)).toEqual(plan);
    expect((await getPremium(instanceId)).status).toBe(200);
  });

  it('records the free plan once Wix reports it, so premium says 403 again', async () => {
    const instanceId = randomUUID();
    emulator.setInstance(instanceId, { paid: { vendorProductId: 'gold' } });
    await refresh(instanceId);
    expect((await getPremium(instanceId)).status).toBe(200);

    emulator.setInstance(instanceId, { paid: null });
    clock += SECOND;
    expect(await refresh(instanceId)).toEqual({
      id: null,
      cycle: null,
      expiresAt: null,
      autoRenews: null,
      paid: false,
    });
    await expectProblem(await getPremium(instanceId), 403, 'plan_required');
    expect(await planOnMe(instanceId)).toBeNull();
  });

  it('is not undone by an older event arriving later, and gives way to a newer one', async () => {
    const instanceId = randomUUID();
    const goldOnly = kit.withEnv({ PREMIUM_PLANS: 'gold' });
    emulator.setInstance(instanceId, { paid: { vendorProductId: 'gold' } });
    const refreshedAt = clock;
    await refresh(instanceId);

    expect(await planChanged(instanceId, 'silver', refreshedAt - 60 * SECOND)).toBe('stale');
    expect(await planOnMe(instanceId)).toMatchObject({ id: 'gold' });
    expect((await getPremium(instanceId, goldOnly)).status).toBe(200);

    clock += 120 * SECOND;
    expect(await planChanged(instanceId, 'silver', refreshedAt + 60 * SECOND)).toBe('applied');
    expect(await planOnMe(instanceId)).toMatchObject({ id: 'silver', paid: true });
    const problem = await expectProblem(
      await getPremium(instanceId, goldOnly),
      403,
      'plan_required',
    );
    expect((problem as unknown as { plans: string[] }).plans).toEqual(['gold']);
  });

  it('gives way to Wix’s report after a purchase dated 2099, which counts as signed when it was', async () => {
    const instanceId = randomUUID();
    const signedAt = clock - 120 * SECOND;
    const body = await kit.signWebhook('PaidPlanPurchased', instanceId, {
      at: new Date(signedAt),
      data: {
        vendorProductId: 'gold',
        cycle: 'YEARLY',
        expiresOn: '2100-01-01T00:00:00.000Z',
        operationTimeStamp: '2099-01-01T00:00:00.000Z',
      },
    });
    const response = await kit.call(webhook, '/api/webhooks/wix', { body });
    expect(await response.json()).toMatchObject({ outcome: 'applied' });
    expect(await planOnMe(instanceId)).toMatchObject({ id: 'gold', paid: true });

    emulator.setInstance(instanceId, { paid: null });
    expect(await refresh(instanceId)).toMatchObject({ id: null, paid: false });
    await expectProblem(await getPremium(instanceId), 403, 'plan_required');
  });

  it('does not move the plan back to an older report than the event it has', async () => {
    const instanceId = randomUUID();
    // An event dated after this refresh already set the plan: the report is older news.
    expect(await planChanged(instanceId, 'platinum', clock + 60 * SECOND)).toBe('applied');
    emulator.setInstance(instanceId, { paid: null });
    expect(await refresh(instanceId)).toMatchObject({ id: 'platinum', paid: true });
  });

  it('keeps the plan it has when Wix cannot be asked (502), changing nothing', async () => {
    const instanceId = randomUUID();
    emulator.setInstance(instanceId, { paid: { vendorProductId: 'gold' } });
    await refresh(instanceId);
    emulator.setInstance(instanceId, { paid: null, removed: true });
    const response = await kit.call(POST, '/api/plan/refresh', {
      method: 'POST',
      auth: await auth(instanceId),
    });
    await expectProblem(response, 502, 'wix_auth_failed');
    expect(await planOnMe(instanceId)).toMatchObject({ id: 'gold', paid: true });
  });

  it('answers 401 without a credential, without calling Wix', async () => {
    const before = emulator.stats().requests;
    await expectProblem(
      await kit.call(POST, '/api/plan/refresh', { method: 'POST' }),
      401,
      'missing_credentials',
    );
    expect(emulator.stats().requests).toBe(before);
  });
});
