/**
 * POST /api/webhooks/wix and the event handlers behind it (docs/decisions/020-event-queue.md):
 * Wix has its answer before any handler runs — a slow handler costs it nothing — and a handler
 * that throws loses nothing.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getOrders } from '@/app/api/examples/orders/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import { businessEventData } from 'wix-app-backend/dev/sign-webhook';
import type { EventHandler } from 'wix-app-backend/events/handler';
import { backoffMs } from 'wix-app-backend/events/processor';
import { countOrder } from '@/lib/examples/orders';
import { wholeSeconds } from 'wix-app-backend/testing/webhooks';
import { createTestApp, type TestApp } from '@/test/kit';

const ORDER_CREATED = 'wix.ecom.v1.order_created';
const HANDLER_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The test apps' clock: real time, moved forward by tests that need "later". */
let clock = Date.now();
const now = () => clock;

let slowRuns = 0;
/** Takes 5 s (a call to another service, say), then counts the order. */
const slowHandler: EventHandler = async (event, ctx) => {
  await sleep(HANDLER_MS);
  slowRuns++;
  await countOrder(event, ctx);
};

let brokenFor = 0;
let flakyRuns = 0;
/** Throws while `brokenFor` is above 0 (counting it down), then counts the order. */
const flakyHandler: EventHandler = async (event, ctx) => {
  flakyRuns++;
  if (brokenFor > 0) {
    brokenFor--;
    throw new Error('the fulfilment service is down');
  }
  await countOrder(event, ctx);
};

let slow: TestApp;
let flaky: TestApp;
beforeAll(async () => {
  slow = await createTestApp({ eventHandlers: { [ORDER_CREATED]: slowHandler }, now });
  flaky = await createTestApp({
    database: slow.database,
    eventHandlers: { [ORDER_CREATED]: flakyHandler },
    now,
  });
});
afterAll(async () => {
  await flaky?.close();
  await slow?.close();
});

async function deliver(app: TestApp, body: string) {
  const started = performance.now();
  const response = await app.call(webhook, '/api/webhooks/wix', { body });
  const elapsedMs = performance.now() - started;
  expect(response.status).toBe(200);
  return { elapsedMs, answer: (await response.json()) as { outcome: string; queued: boolean } };
}

const orderDelivery = (app: TestApp, instanceId: string) =>
  app.signWebhook(ORDER_CREATED, instanceId, {
    data: businessEventData(ORDER_CREATED, { at: new Date(clock) }),
    at: wholeSeconds(new Date(clock - 5_000)),
  });

async function ordersSeen(app: TestApp, instanceId: string) {
  const response = await app.call(getOrders, '/api/examples/orders', {
    auth: await app.signInstance({ instanceId }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { ordersSeen: number }).ordersSeen;
}

async function queued(instanceId: string) {
  const [event, ...more] = (await slow.database.eventQueue.list('pending', 1000))
    .concat(await slow.database.eventQueue.list('done', 1000))
    .filter((e) => e.instanceId === instanceId);
  expect(more).toEqual([]);
  return event;
}

describe('POST /api/webhooks/wix with a handler that takes 5 s', () => {
  it('answers Wix well within its 1250 ms, then applies the effect once the handler is done', async () => {
    clock = Date.now();
    const instanceId = randomUUID();
    const body = await orderDelivery(slow, instanceId);
    const started = performance.now();
    const { elapsedMs, answer } = await deliver(slow, body);
    console.log(`webhook answered in ${elapsedMs.toFixed(0)} ms with a ${HANDLER_MS} ms handler`);
    expect(elapsedMs).toBeLessThan(1250);
    expect(answer).toEqual({
      status: 'ok',
      outcome: 'queued',
      eventType: ORDER_CREATED,
      queued: true,
    });
    // Answered, and the handler is still running.
    expect(slowRuns).toBe(0);
    expect(await ordersSeen(slow, instanceId)).toBe(0);

    await slow.app.idle();
    expect(performance.now() - started).toBeGreaterThanOrEqual(HANDLER_MS - 50);
    expect(slowRuns).toBe(1);
    expect(await ordersSeen(slow, instanceId)).toBe(1);
    expect(await queued(instanceId)).toMatchObject({ status: 'done', attempts: 1 });

    // Wix did not hear back in time, it thinks, and delivers again: nothing more happens.
    expect((await deliver(slow, body)).answer).toMatchObject({
      outcome: 'duplicate',
      queued: false,
    });
    await slow.app.idle();
    expect(slowRuns).toBe(1);
    expect(await ordersSeen(slow, instanceId)).toBe(1);
  });
});

describe('POST /api/webhooks/wix with a handler that throws', () => {
  it('still answers 200, keeps the event, and applies it once on a later drain after the backoff', async () => {
    clock = Date.now();
    brokenFor = 1;
    flakyRuns = 0;
    const instanceId = randomUUID();
    const body = await orderDelivery(flaky, instanceId);
    const { answer } = await deliver(flaky, body);
    expect(answer).toMatchObject({ outcome: 'queued', queued: true });
    await flaky.app.idle();
    expect(flakyRuns).toBe(1);
    expect(await ordersSeen(flaky, instanceId)).toBe(0);
    expect(await queued(instanceId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: new Date(clock + backoffMs(1)),
      lastError: expect.stringContaining('the fulfilment service is down'),
    });

    // Not before its time.
    clock += backoffMs(1) - 1_000;
    expect(await flaky.app.drainEvents()).toEqual({ done: 0, failed: 0 });
    clock += 1_000;
    expect(await flaky.app.drainEvents()).toEqual({ done: 1, failed: 0 });
    expect(flakyRuns).toBe(2);
    expect(await ordersSeen(flaky, instanceId)).toBe(1);
    expect(await queued(instanceId)).toMatchObject({ status: 'done', attempts: 2 });

    clock += 24 * 3_600_000;
    expect(await flaky.app.drainEvents()).toEqual({ done: 0, failed: 0 });
    expect(await ordersSeen(flaky, instanceId)).toBe(1);
  });

  it('does not run the failed event again when Wix redelivers it: the queue is the retry', async () => {
    clock = Date.now();
    brokenFor = 1;
    flakyRuns = 0;
    const instanceId = randomUUID();
    const body = await orderDelivery(flaky, instanceId);
    await deliver(flaky, body);
    await flaky.app.idle();
    expect(flakyRuns).toBe(1);
    expect((await deliver(flaky, body)).answer).toMatchObject({
      outcome: 'duplicate',
      queued: false,
    });
    await flaky.app.idle();
    expect(flakyRuns).toBe(1);
    clock += backoffMs(1);
    expect(await flaky.app.drainEvents()).toEqual({ done: 1, failed: 0 });
    expect(await ordersSeen(flaky, instanceId)).toBe(1);
  });
});
