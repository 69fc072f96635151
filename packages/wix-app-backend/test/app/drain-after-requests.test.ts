/**
 * Where no process outlives its requests (Vercel), the requests themselves retry a failed event
 * handler once its backoff is over: the process context drains due events after a request, at
 * most every EVENT_RETRY_INTERVAL_MS, and after every webhook delivery.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessEventData } from '../../src/dev/sign-webhook';
import type { EventHandler } from '../../src/events/handler';
import { EVENT_RETRY_INTERVAL_MS, backoffMs } from '../../src/events/processor';
import { createTestApp, type TestApp } from '../../src/testing';
import { fixtureApp, webhook, whoAmI as getMe } from '../fixtures/routes';

const ORDER_CREATED = 'wix.ecom.v1.order_created';
const CONTACT_CREATED = 'wix.contacts.v4.contact_created';

let clock = Date.parse('2026-06-01T12:00:00.000Z');
/** Runs of the order handler, by instance; it fails the first time for each. */
const runs = new Map<string, number>();
const failsOnce: EventHandler = async (event) => {
  const run = (runs.get(event.instanceId) ?? 0) + 1;
  runs.set(event.instanceId, run);
  if (run === 1) throw new Error('the first try fails');
};
const handlers = { [ORDER_CREATED]: failsOnce };

let draining: TestApp;
let notDraining: TestApp;
beforeAll(async () => {
  draining = await createTestApp({
    app: fixtureApp,
    now: () => clock,
    eventHandlers: handlers,
    drainAfterRequestsMs: EVENT_RETRY_INTERVAL_MS,
  });
  notDraining = await createTestApp({
    app: fixtureApp,
    now: () => clock,
    eventHandlers: handlers,
    database: draining.database,
  });
});
afterAll(async () => {
  await notDraining?.close();
  await draining?.close();
});

/** Delivers one order event for `instanceId`, lets its handler run (and fail), and settles. */
async function failedOrder(kit: TestApp, instanceId: string) {
  const body = await kit.signWebhook(ORDER_CREATED, instanceId, {
    data: businessEventData(ORDER_CREATED, { eventId: randomUUID() }),
    at: new Date(clock),
  });
  expect((await kit.call(webhook, '/api/webhooks/wix', { body })).status).toBe(200);
  await kit.app.idle();
  expect(runs.get(instanceId)).toBe(1);
}

describe('retrying a failed handler without a long-running process', () => {
  it('runs it again after the first request once its backoff is over', async () => {
    const instanceId = randomUUID();
    await failedOrder(draining, instanceId);
    const auth = await draining.signInstance({ instanceId });

    clock += backoffMs(1) / 2; // not due yet: a request drains, and finds nothing due
    await draining.call(getMe, '/api/me', { auth });
    await draining.app.idle();
    expect(runs.get(instanceId)).toBe(1);

    clock += backoffMs(1); // due, and a drain interval later
    expect(backoffMs(1) / 2 + backoffMs(1)).toBeGreaterThanOrEqual(EVENT_RETRY_INTERVAL_MS);
    await draining.call(getMe, '/api/me', { auth });
    await draining.app.idle();
    expect(runs.get(instanceId)).toBe(2);
  });

  it('drains at most once an interval, however many requests arrive', async () => {
    const instanceId = randomUUID();
    const auth = await draining.signInstance({ instanceId });
    clock += EVENT_RETRY_INTERVAL_MS; // a fresh interval: this request drains
    const t0 = clock;
    await draining.call(getMe, '/api/me', { auth });
    clock = t0 + 1_000;
    await failedOrder(notDraining, instanceId); // due at t0 + 1 s + the first backoff
    clock = t0 + EVENT_RETRY_INTERVAL_MS; // an interval later: drains, but it is not due yet
    await draining.call(getMe, '/api/me', { auth });
    await draining.app.idle();
    expect(runs.get(instanceId)).toBe(1);

    clock = t0 + 1_000 + backoffMs(1); // due now, but within the interval of that drain
    expect(clock - (t0 + EVENT_RETRY_INTERVAL_MS)).toBeLessThan(EVENT_RETRY_INTERVAL_MS);
    for (let i = 0; i < 5; i++) await draining.call(getMe, '/api/me', { auth });
    await draining.app.idle();
    expect(runs.get(instanceId)).toBe(1);

    clock = t0 + 2 * EVENT_RETRY_INTERVAL_MS; // the next interval: the next request drains
    await draining.call(getMe, '/api/me', { auth });
    await draining.app.idle();
    expect(runs.get(instanceId)).toBe(2);
  });

  it('runs a due retry after the next webhook delivery, whatever that delivery is', async () => {
    const instanceId = randomUUID();
    await failedOrder(notDraining, instanceId);
    clock += backoffMs(1);
    // An event type with no handler is not queued, but its delivery still drains.
    const other = await notDraining.signWebhook(CONTACT_CREATED, randomUUID(), {
      data: businessEventData(CONTACT_CREATED, { eventId: randomUUID() }),
      at: new Date(clock),
    });
    const answer = await notDraining.call(webhook, '/api/webhooks/wix', { body: other });
    expect(await answer.json()).toMatchObject({ queued: false });
    await notDraining.app.idle();
    expect(runs.get(instanceId)).toBe(2);
  });

  it('leaves retries to the timer or the cron in a context built without drainAfterRequestsMs', async () => {
    const instanceId = randomUUID();
    await failedOrder(notDraining, instanceId);
    clock += 10 * backoffMs(1);
    await notDraining.call(getMe, '/api/me', {
      auth: await notDraining.signInstance({ instanceId }),
    });
    await notDraining.app.idle();
    expect(runs.get(instanceId)).toBe(1);
    await notDraining.app.drainEvents();
    expect(runs.get(instanceId)).toBe(2);
  });
});
