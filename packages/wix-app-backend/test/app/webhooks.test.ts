/**
 * `handleWixWebhook` (src/app/webhooks.ts): one delivery recorded once — by its signed content
 * and by Wix's event id — and, in the same transaction, queued for the handler registered for its
 * type. The handler itself runs later (test/lib/events).
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handleWixWebhook } from '../../src/app/webhooks';
import { businessEventData } from '../../src/dev/sign-webhook';
import { AppError } from '../../src/errors/app-error';
import { signDelivery, webhookKeyPair } from '../../src/testing/webhooks';
import { createTestApp, type TestApp } from '../../src/testing';

const ORDER_CREATED = 'wix.ecom.v1.order_created';
const noop = async () => {};

let kit: TestApp;
/** Another context over the same database, with no handler at all. */
let bare: TestApp;
beforeAll(async () => {
  kit = await createTestApp({
    eventHandlers: { [ORDER_CREATED]: noop, PaidPlanPurchased: noop },
  });
  bare = await createTestApp({ database: kit.database, eventHandlers: {} });
});
afterAll(async () => {
  await bare?.close();
  await kit?.close();
});

const secondsAgo = (seconds: number) => new Date(Math.floor(Date.now() / 1000 - seconds) * 1000);

/** The queued events of one instance (the queue holds every test's). */
async function queuedFor(instanceId: string) {
  const pending = await kit.database.eventQueue.list('pending', 1000);
  return pending.filter((event) => event.instanceId === instanceId);
}

/** What the delivery id is: the SHA-256 of what the signature covers. */
const signedContentHash = (body: string) =>
  createHash('sha256').update(body.split('.').slice(0, 2).join('.')).digest('hex');

describe('handleWixWebhook', () => {
  it('queues the first delivery of a handled type, keyed by its signed content, with the event parsed', async () => {
    const instanceId = randomUUID();
    const at = secondsAgo(10);
    const data = businessEventData(ORDER_CREATED, { eventId: randomUUID(), at });
    const body = await kit.signWebhook(ORDER_CREATED, instanceId, { data, at });

    const handled = await handleWixWebhook(kit.app, body);
    // Not an app-instance event, so no lifecycle effect: queued for its handler is what happened.
    expect(handled).toMatchObject({ outcome: 'queued', queued: true });
    expect(handled.envelope).toMatchObject({ eventType: ORDER_CREATED, instanceId });

    const [queued, ...more] = await queuedFor(instanceId);
    expect(more).toEqual([]);
    expect(queued).toMatchObject({
      id: signedContentHash(body),
      eventType: ORDER_CREATED,
      status: 'pending',
      attempts: 0,
      event: {
        eventType: ORDER_CREATED,
        instanceId,
        id: data.id,
        slug: 'created',
        entityFqdn: 'wix.ecom.v1.order',
        entityId: data.entityId,
        created: (data.createdEvent as { entity: unknown }).entity,
        occurredAt: at.toISOString(),
      },
    });
  });

  it('answers duplicate for a redelivery signed afresh with Wix’s same event id, queueing nothing more', async () => {
    const instanceId = randomUUID();
    const data = businessEventData(ORDER_CREATED);
    const first = await kit.signWebhook(ORDER_CREATED, instanceId, { data, at: secondsAgo(30) });
    const resigned = await kit.signWebhook(ORDER_CREATED, instanceId, {
      data,
      at: secondsAgo(5),
      expiresInSeconds: 7200,
    });
    expect(resigned).not.toBe(first);
    expect(await handleWixWebhook(kit.app, first)).toMatchObject({ queued: true });
    expect(await handleWixWebhook(kit.app, resigned)).toMatchObject({
      outcome: 'duplicate',
      queued: false,
    });
    expect(await handleWixWebhook(kit.app, first)).toMatchObject({
      outcome: 'duplicate',
      queued: false,
    });
    expect(await queuedFor(instanceId)).toHaveLength(1);
  });

  it('queues and runs the event of each site when two sites’ events share Wix’s id', async () => {
    const ran: string[] = [];
    const recording = await createTestApp({
      database: kit.database,
      eventHandlers: {
        [ORDER_CREATED]: async (event) => {
          ran.push(event.instanceId);
        },
      },
    });
    try {
      const data = businessEventData(ORDER_CREATED);
      const sites = [randomUUID(), randomUUID()];
      for (const instanceId of sites) {
        const body = await recording.signWebhook(ORDER_CREATED, instanceId, {
          data,
          at: secondsAgo(5),
        });
        expect(await handleWixWebhook(recording.app, body)).toMatchObject({
          outcome: 'queued',
          queued: true,
        });
      }
      await recording.app.drainEvents();
      expect(ran).toEqual(expect.arrayContaining(sites));
    } finally {
      await recording.close();
    }
  });

  it('queues an event of another id as a new event', async () => {
    const instanceId = randomUUID();
    for (const eventId of [randomUUID(), randomUUID()]) {
      const data = businessEventData(ORDER_CREATED, { eventId });
      const body = await kit.signWebhook(ORDER_CREATED, instanceId, { data, at: secondsAgo(5) });
      expect(await handleWixWebhook(kit.app, body)).toMatchObject({ queued: true });
    }
    expect(await queuedFor(instanceId)).toHaveLength(2);
  });

  it('records, but does not queue, a delivery of a type no handler is registered for', async () => {
    const instanceId = randomUUID();
    const data = businessEventData(ORDER_CREATED);
    const body = await bare.signWebhook(ORDER_CREATED, instanceId, { data, at: secondsAgo(5) });
    expect(bare.app.handlesEvent(ORDER_CREATED)).toBe(false);
    expect(await handleWixWebhook(bare.app, body)).toMatchObject({
      outcome: 'ignored',
      queued: false,
    });
    expect(await queuedFor(instanceId)).toEqual([]);
    // Recorded all the same: a copy is a duplicate, for the context with a handler too.
    expect(await handleWixWebhook(kit.app, body)).toMatchObject({
      outcome: 'duplicate',
      queued: false,
    });
    expect(await queuedFor(instanceId)).toEqual([]);
  });

  it('applies an app-instance event and queues it for its handler in one go', async () => {
    const instanceId = randomUUID();
    const body = await kit.signWebhook('PaidPlanPurchased', instanceId, {
      at: secondsAgo(5),
      plan: 'gold',
    });
    expect(await handleWixWebhook(kit.app, body)).toMatchObject({
      outcome: 'applied',
      queued: true,
    });
    expect(await kit.database.instances.getInstance(instanceId)).toMatchObject({ plan: 'gold' });
    expect(await queuedFor(instanceId)).toMatchObject([{ eventType: 'PaidPlanPurchased' }]);
  });

  it('records nothing when queueing fails, so Wix’s redelivery is taken as new', async () => {
    const instanceId = randomUUID();
    const body = await kit.signWebhook('PaidPlanPurchased', instanceId, {
      at: secondsAgo(5),
      plan: 'gold',
    });
    vi.spyOn(kit.database.eventQueue, 'enqueue').mockRejectedValueOnce(new Error('disk full'));
    await expect(handleWixWebhook(kit.app, body)).rejects.toThrow('disk full');
    expect((await kit.database.instances.getInstance(instanceId))?.plan ?? null).toBeNull();
    expect(await queuedFor(instanceId)).toEqual([]);

    expect(await handleWixWebhook(kit.app, body)).toMatchObject({
      outcome: 'applied',
      queued: true,
    });
    expect(await queuedFor(instanceId)).toHaveLength(1);
  });

  it('throws the verifier’s reason for a delivery it refuses, recording nothing', async () => {
    const instanceId = randomUUID();
    const forged = await signDelivery(webhookKeyPair(), ORDER_CREATED, instanceId, {
      data: businessEventData(ORDER_CREATED),
      at: secondsAgo(5),
    });
    const error = await handleWixWebhook(kit.app, forged).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_webhook_signature');
    expect(await kit.database.instances.getInstance(instanceId)).toBeNull();
    expect(await queuedFor(instanceId)).toEqual([]);
  });
});
