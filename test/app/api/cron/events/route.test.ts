/**
 * GET /api/cron/events: on Vercel, nothing outlives a request, so this cron entry retries queued
 * events whose handler failed and is due again. It takes the cron secret, like /api/cron/purge.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/cron/events/route';
import { GET as getOrders } from '@/app/api/examples/orders/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import { businessEventData } from 'wix-app-backend/dev/sign-webhook';
import { backoffMs } from 'wix-app-backend/events/processor';
import { countOrder } from '@/lib/examples/orders';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';

const SECRET = 'cron-secret-0123456789abcdef';
const ORDER_CREATED = 'wix.ecom.v1.order_created';

/** The context's clock, in whole seconds; moved forward past a backoff by the tests. */
let clock = 0;
beforeEach(() => {
  clock = Math.floor(Date.now() / 1000) * 1000;
});

/** The handler fails while this is above 0, counting it down. */
let failuresLeft = 0;
let runs = 0;

let kit: TestApp;
let cronApp: TestApp;
beforeAll(async () => {
  kit = await createTestApp({
    now: () => clock,
    eventHandlers: {
      [ORDER_CREATED]: async (event, ctx) => {
        runs++;
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Error('the warehouse API is down');
        }
        await countOrder(event, ctx);
      },
    },
  });
  cronApp = kit.withEnv({ CRON_SECRET: SECRET });
});
afterAll(() => kit.close());

const cron = (app: TestApp, authorization?: string) =>
  app.call(GET, '/api/cron/events', authorization === undefined ? {} : { auth: authorization });

/** An order delivered through the webhook route, whose handler fails the first time. */
async function failedOrder(): Promise<string> {
  const instanceId = randomUUID();
  failuresLeft = 1;
  runs = 0;
  const body = await kit.signWebhook(ORDER_CREATED, instanceId, {
    data: businessEventData(ORDER_CREATED),
    at: new Date(clock - 1000),
  });
  const response = await kit.call(webhook, '/api/webhooks/wix', { body });
  expect(await response.json()).toMatchObject({ queued: true });
  await kit.app.idle();
  expect(runs).toBe(1);
  return instanceId;
}

async function ordersSeen(instanceId: string) {
  const response = await kit.call(getOrders, '/api/examples/orders', {
    auth: await kit.signInstance({ instanceId }),
  });
  return ((await response.json()) as { ordersSeen: number }).ordersSeen;
}

describe('GET /api/cron/events', () => {
  it('answers 503 cron_not_configured without CRON_SECRET, running nothing', async () => {
    const instanceId = await failedOrder();
    clock += backoffMs(1);
    await expectProblem(
      await cron(kit.withEnv({ CRON_SECRET: '' }), `Bearer ${SECRET}`),
      503,
      'cron_not_configured',
    );
    expect(runs).toBe(1);
    // Cleared for the next tests: the event runs now.
    expect(await cron(cronApp, `Bearer ${SECRET}`).then((r) => r.json())).toEqual({
      done: 1,
      failed: 0,
    });
    expect(await ordersSeen(instanceId)).toBe(1);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong secret', 'Bearer cron-secret-0123456789abcdeX'],
    ['the secret without the Bearer scheme', SECRET],
  ])('answers 401 invalid_cron_secret for %s, running nothing', async (_label, authorization) => {
    const instanceId = await failedOrder();
    clock += backoffMs(1);
    await expectProblem(await cron(cronApp, authorization), 401, 'invalid_cron_secret');
    expect(runs).toBe(1);
    expect(await ordersSeen(instanceId)).toBe(0);
    expect(await cron(cronApp, `Bearer ${SECRET}`).then((r) => r.json())).toEqual({
      done: 1,
      failed: 0,
    });
  });

  it('runs the events that are due again, once, and answers what it did', async () => {
    const instanceId = await failedOrder();

    clock += backoffMs(1) - 1000;
    const early = await cron(cronApp, `Bearer ${SECRET}`);
    expect(early.status).toBe(200);
    expect(early.headers.get('cache-control')).toBe('no-store');
    expect(await early.json()).toEqual({ done: 0, failed: 0 });
    expect(runs).toBe(1);

    clock += 1000;
    expect(await cron(cronApp, `Bearer ${SECRET}`).then((r) => r.json())).toEqual({
      done: 1,
      failed: 0,
    });
    expect(runs).toBe(2);
    expect(await ordersSeen(instanceId)).toBe(1);

    clock += 24 * 3_600_000;
    expect(await cron(cronApp, `Bearer ${SECRET}`).then((r) => r.json())).toEqual({
      done: 0,
      failed: 0,
    });
    expect(await ordersSeen(instanceId)).toBe(1);
  });

  it('counts a handler that fails again, and keeps the event for later', async () => {
    const instanceId = await failedOrder();
    failuresLeft = 1;
    clock += backoffMs(1);
    expect(await cron(cronApp, `Bearer ${SECRET}`).then((r) => r.json())).toEqual({
      done: 0,
      failed: 1,
    });
    expect(await ordersSeen(instanceId)).toBe(0);
    clock += backoffMs(2);
    expect(await cron(cronApp, `Bearer ${SECRET}`).then((r) => r.json())).toEqual({
      done: 1,
      failed: 0,
    });
    expect(await ordersSeen(instanceId)).toBe(1);
  });
});
