/**
 * Exactly once, end to end: `wix.ecom.v1.order_created` deliveries through POST /api/webhooks/wix,
 * counted by the example handler (lib/examples/orders.ts) and read back from
 * GET /api/examples/orders. Registered per engine: route.test.ts on PGlite, route.postgres.test.ts
 * on PostgreSQL. Every test uses fresh random instance and event ids.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/examples/orders/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import { businessEventData } from 'wix-app-backend/dev/sign-webhook';
import { expectProblem, type TestApp } from '@/test/kit';

const ORDER_CREATED = 'wix.ecom.v1.order_created';

interface WebhookAnswer {
  status: string;
  outcome: string;
  eventType: string;
  queued: boolean;
}

const secondsAgo = (seconds: number) => new Date(Math.floor(Date.now() / 1000 - seconds) * 1000);

/**
 * Registers the battery. `open` builds the test app; `openOther` a second context over the same
 * database (on PostgreSQL, with a connection pool of its own: another process).
 */
export function ordersRouteCases(
  open: () => Promise<TestApp>,
  openOther: (kit: TestApp) => Promise<TestApp>,
): void {
  let kit: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    kit = await open();
    other = await openOther(kit);
  });
  afterAll(async () => {
    await other?.close();
    await kit?.close();
  });

  const ordersSeen = async (instanceId: string, app: TestApp = kit) => {
    const response = await app.call(GET, '/api/examples/orders', {
      auth: await app.signInstance({ instanceId }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { ordersSeen: number }).ordersSeen;
  };

  const deliver = async (body: string, app: TestApp = kit) => {
    const response = await app.call(webhook, '/api/webhooks/wix', { body });
    expect(response.status).toBe(200);
    return (await response.json()) as WebhookAnswer;
  };

  /** One Wix event (one inner `id`), signed `copies` times with different iat and exp. */
  async function signedCopies(instanceId: string, copies: number) {
    const data = businessEventData(ORDER_CREATED, { eventId: randomUUID() });
    return Promise.all(
      Array.from({ length: copies }, (_, i) =>
        kit.signWebhook(ORDER_CREATED, instanceId, {
          data,
          at: secondsAgo(60 - i),
          expiresInSeconds: 3600 + i,
        }),
      ),
    );
  }

  const settled = () => Promise.all([kit.app.idle(), other.app.idle()]);

  describe('GET /api/examples/orders', () => {
    it('answers 0 before the first order', async () => {
      expect(await ordersSeen(randomUUID())).toBe(0);
    });

    it('answers 401 without a credential', async () => {
      await expectProblem(await kit.call(GET, '/api/examples/orders'), 401, 'missing_credentials');
    });
  });

  describe('an order_created event, however Wix delivers it, counts once', () => {
    it('counts a delivery replayed 50 times at once, re-signed copies included, once; another event once more', async () => {
      const instanceId = randomUUID();
      expect(await ordersSeen(instanceId)).toBe(0);
      const [original, ...resigned] = await signedCopies(instanceId, 6);
      expect(new Set([original, ...resigned]).size).toBe(6);
      const bodies = Array.from({ length: 50 }, (_, i) =>
        i % 10 === 5 ? resigned[(i - 5) / 10]! : original!,
      );

      const answers = await Promise.all(bodies.map((body) => deliver(body)));
      expect(answers.filter((a) => a.queued)).toHaveLength(1);
      expect(answers.filter((a) => a.outcome === 'duplicate')).toHaveLength(49);
      await settled();
      expect(await ordersSeen(instanceId)).toBe(1);

      // Later copies, one each: still one.
      for (const body of [original!, resigned[4]!]) {
        expect(await deliver(body)).toMatchObject({ outcome: 'duplicate', queued: false });
      }
      await settled();
      expect(await ordersSeen(instanceId)).toBe(1);

      const [another] = await signedCopies(instanceId, 1);
      expect(await deliver(another!)).toMatchObject({ queued: true });
      await settled();
      expect(await ordersSeen(instanceId)).toBe(2);
    });

    it('counts copies delivered to two contexts at once once', async () => {
      const instanceId = randomUUID();
      const copies = await signedCopies(instanceId, 4);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          deliver(copies[i % copies.length]!, i % 2 ? other : kit),
        ),
      );
      expect(answers.filter((a) => a.queued)).toHaveLength(1);
      await settled();
      expect(await ordersSeen(instanceId)).toBe(1);
      expect(await ordersSeen(instanceId, other)).toBe(1);
    });

    it('counts each site’s orders for that site only', async () => {
      const [siteA, siteB] = [randomUUID(), randomUUID()];
      for (const [instanceId, events] of [
        [siteA, 3],
        [siteB, 1],
      ] as const) {
        for (let i = 0; i < events; i++) {
          const [body] = await signedCopies(instanceId, 1);
          expect(await deliver(body!)).toMatchObject({ queued: true });
        }
      }
      await settled();
      expect(await ordersSeen(siteA)).toBe(3);
      expect(await ordersSeen(siteB)).toBe(1);
    });
  });
}
