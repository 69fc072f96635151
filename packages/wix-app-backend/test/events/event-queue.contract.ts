/**
 * The contract of the event queue and its processor (src/events/event-queue.ts, processor.ts),
 * registered per engine like test/db/*.contract.ts: event-queue.pglite.test.ts on an
 * in-memory PGlite, event-queue.postgres.test.ts on PostgreSQL — there also over a second
 * connection, as a second process would hold one.
 *
 * A drain takes any due event of its database, so the tests keep out of each other's way by time:
 * each runs in an era of its own, a year before the previous test's, and moves its clock by at
 * most a few days. An event an earlier test left pending is due only in that test's (later) era,
 * so no later test's drain ever takes it. Ids are random; nothing is deleted.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AppDatabase } from '../../src/app/database';
import { businessEventData } from '../../src/dev/sign-webhook';
import type { EventHandler, EventHandlers } from '../../src/events/handler';
import {
  backoffMs,
  createEventProcessor,
  MAX_EVENT_ATTEMPTS,
  type EventProcessor,
} from '../../src/events/processor';
import { toWixEvent, type WixEvent } from '../../src/events/wix-event';
import { createLogger } from '../../src/log';
import { forInstance } from '../../src/wix/app-client';
import { useAppDatabase } from '../db/database.contract';
import { addEffect, countEffect, readEffects } from '../fixtures/effects';

const ORDER_CREATED = 'wix.ecom.v1.order_created';
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const YEAR = 365 * DAY;
/** The lease the processors here take: long, so that only a moved clock ends it. */
const LEASE_MS = 5 * MINUTE;

let eras = 0;
/** A clock in an era of the test's own (see the module comment). */
function eraClock() {
  let t = Date.parse('2010-01-01T00:00:00.000Z') - eras++ * YEAR;
  return {
    now: () => t,
    date: (offsetMs = 0) => new Date(t + offsetMs),
    advance: (ms: number) => {
      t += ms;
    },
  };
}
type Clock = ReturnType<typeof eraClock>;

/** A promise and the function that settles it: a gate a handler waits at, or a signal. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An order_created event as the webhook route would queue it. */
function orderEvent(instanceId: string, at: Date, eventType = ORDER_CREATED): WixEvent {
  return toWixEvent({
    eventType,
    instanceId,
    data: businessEventData(eventType, { at }),
    identity: null,
    accountInfo: null,
    occurredAt: at,
    expiresAt: new Date(at.getTime() + 3_600_000),
  });
}

/**
 * `open` (and `secondConnection`) must give a database with the fixture tables
 * (test/fixtures/tables.ts), where the handlers here count their effects: `openMigratedDatabase`
 * creates them.
 */
export function eventQueueContract(
  name: string,
  open: () => Promise<AppDatabase>,
  options: { secondConnection?: () => Promise<AppDatabase> } = {},
): void {
  describe(`Event queue contract: ${name}`, () => {
    const database = useAppDatabase(open);
    // A second process's pool on the same PostgreSQL; on PGlite, the one database again.
    const second = options.secondConnection ? useAppDatabase(options.secondConnection) : database;

    /** Queues an event (for a new instance unless given), as the webhook route does in its transaction. */
    async function enqueue(
      at: Date,
      more: { id?: string; instanceId?: string; eventType?: string; on?: AppDatabase } = {},
    ) {
      const db = more.on ?? database();
      const instanceId = more.instanceId ?? randomUUID();
      const id = more.id ?? randomUUID();
      await db.instances.recordSeen(instanceId, at.getTime());
      const event = orderEvent(instanceId, at, more.eventType);
      await db.db.transaction((tx) => db.eventQueue.enqueue(tx, { id, instanceId, event, at }));
      return { id, instanceId, event };
    }

    const queue = () => database().eventQueue;
    const get = async (id: string) => {
      const item = await queue().get(id);
      if (!item) throw new Error(`event ${id} is not queued`);
      return item;
    };
    const effectsOf = (instanceId: string) => readEffects({ instanceId, db: database().db });

    function processor(
      clock: Clock,
      handlers: EventHandlers,
      on: AppDatabase = database(),
    ): EventProcessor {
      return createEventProcessor({
        db: on.db,
        queue: on.eventQueue,
        handlers,
        wixFor: (instanceId) =>
          forInstance(async () => {
            throw new Error('no Wix in these tests');
          }, instanceId),
        log: createLogger('silent'),
        now: clock.now,
        leaseMs: LEASE_MS,
      });
    }

    /** countEffect (the fixture handler), counting its runs and what it was handed. */
    function countingOrders() {
      const runs: { instanceId: string; attempt: number; event: WixEvent }[] = [];
      const handler: EventHandler = async (event, ctx) => {
        runs.push({ instanceId: ctx.instanceId, attempt: ctx.attempt, event });
        await countEffect(event, ctx);
      };
      return { runs, handler };
    }

    describe('the queue', () => {
      it('queues an event pending and due at once, with the event as its handler will see it', async () => {
        const clock = eraClock();
        const at = clock.date();
        const { id, instanceId, event } = await enqueue(at);
        expect(await queue().get(id)).toEqual({
          id,
          instanceId,
          eventType: ORDER_CREATED,
          event,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: at,
          lastError: null,
          receivedAt: at,
          doneAt: null,
        });
        expect(await queue().get(randomUUID())).toBeNull();
      });

      it('keeps the first copy of an event queued twice', async () => {
        const clock = eraClock();
        const first = await enqueue(clock.date());
        await enqueue(clock.date(MINUTE), { id: first.id, instanceId: first.instanceId });
        expect(await get(first.id)).toMatchObject({
          event: first.event,
          receivedAt: clock.date(),
          nextAttemptAt: clock.date(),
        });
      });

      it('claims the oldest due event first, leasing it and counting the attempt', async () => {
        const clock = eraClock();
        const older = await enqueue(clock.date());
        const newer = await enqueue(clock.date(SECOND));
        const now = clock.date(2 * SECOND);
        const lease = clock.date(2 * SECOND + LEASE_MS);
        expect(await queue().claimNext(now, lease)).toMatchObject({ id: older.id, attempts: 1 });
        expect(await queue().claimNext(now, lease)).toMatchObject({ id: newer.id, attempts: 1 });
        expect(await queue().claimNext(now, lease)).toBeNull();
      });

      it('does not claim an event before it is due', async () => {
        const clock = eraClock();
        const { id } = await enqueue(clock.date());
        expect(await queue().claimNext(clock.date(-1), clock.date(LEASE_MS))).toBeNull();
        expect(await queue().claimNext(clock.date(), clock.date(LEASE_MS))).toMatchObject({ id });
      });

      it('does not claim a leased event again until its lease is over, then counts a second attempt', async () => {
        const clock = eraClock();
        const { id } = await enqueue(clock.date());
        const leaseEnd = LEASE_MS;
        expect(await queue().claimNext(clock.date(), clock.date(leaseEnd))).toMatchObject({ id });
        const later = clock.date(leaseEnd + LEASE_MS);
        expect(await queue().claimNext(clock.date(leaseEnd - 1), later)).toBeNull();
        expect(await queue().claimNext(clock.date(leaseEnd), later)).toBeNull();
        expect(await queue().claimNext(clock.date(leaseEnd + 1), later)).toMatchObject({
          id,
          attempts: 2,
        });
      });

      it('gives concurrent claims different events', async () => {
        const clock = eraClock();
        const queued = [];
        for (let i = 0; i < 10; i++) queued.push(await enqueue(clock.date(i)));
        const now = clock.date(SECOND);
        const claims = await Promise.all(
          queued.map(() => queue().claimNext(now, clock.date(LEASE_MS))),
        );
        const ids = claims.map((claim) => claim?.id);
        expect(new Set(ids)).toEqual(new Set(queued.map((q) => q.id)));
        expect(claims.map((claim) => claim?.attempts)).toEqual(Array(10).fill(1));
        expect(await queue().claimNext(now, clock.date(LEASE_MS))).toBeNull();
      });

      it('gives two claims over two connections two different events', async () => {
        const clock = eraClock();
        const a = await enqueue(clock.date());
        const b = await enqueue(clock.date(1));
        const now = clock.date(SECOND);
        const claims = await Promise.all([
          database().eventQueue.claimNext(now, clock.date(LEASE_MS)),
          second().eventQueue.claimNext(now, clock.date(LEASE_MS)),
        ]);
        expect(new Set(claims.map((claim) => claim?.id))).toEqual(new Set([a.id, b.id]));
      });

      it('marks an event done once: a second finish finds it done, and no claim takes it', async () => {
        const clock = eraClock();
        const { id } = await enqueue(clock.date());
        await queue().claimNext(clock.date(), clock.date(LEASE_MS));
        const doneAt = clock.date(SECOND);
        expect(await queue().finish(database().db, id, doneAt)).toBe(true);
        expect(await queue().finish(database().db, id, clock.date(2 * SECOND))).toBe(false);
        expect(await get(id)).toMatchObject({ status: 'done', doneAt, attempts: 1 });
        expect(await queue().claimNext(clock.date(DAY), clock.date(DAY + LEASE_MS))).toBeNull();
        expect(await queue().retry(id, clock.date(DAY))).toBe(false);
        expect(await get(id)).toMatchObject({ status: 'done' });
      });

      it('reschedules a failed attempt: pending, not leased, due later, with the reason', async () => {
        const clock = eraClock();
        const { id } = await enqueue(clock.date());
        await queue().claimNext(clock.date(), clock.date(LEASE_MS));
        await queue().reschedule(id, {
          nextAttemptAt: clock.date(30 * SECOND),
          failed: false,
          error: 'boom',
        });
        expect(await get(id)).toMatchObject({
          status: 'pending',
          attempts: 1,
          nextAttemptAt: clock.date(30 * SECOND),
          lastError: 'boom',
        });
        // Due at 30 s, well inside the first lease: the lease went with the reschedule.
        const lease = clock.date(LEASE_MS * 2);
        expect(await queue().claimNext(clock.date(30 * SECOND - 1), lease)).toBeNull();
        expect(await queue().claimNext(clock.date(30 * SECOND), lease)).toMatchObject({
          id,
          attempts: 2,
        });
      });

      it('gives an event up as failed: kept and listed, never claimed, until retried', async () => {
        const clock = eraClock();
        const { id } = await enqueue(clock.date());
        await queue().claimNext(clock.date(), clock.date(LEASE_MS));
        await queue().reschedule(id, {
          nextAttemptAt: clock.date(MINUTE),
          failed: true,
          error: 'gave up',
        });
        expect(await get(id)).toMatchObject({ status: 'failed', lastError: 'gave up' });
        expect(await queue().claimNext(clock.date(DAY), clock.date(DAY + LEASE_MS))).toBeNull();
        expect((await queue().list('failed')).map((e) => e.id)).toContain(id);

        expect(await queue().retry(id, clock.date(DAY))).toBe(true);
        expect(await get(id)).toMatchObject({ status: 'pending', nextAttemptAt: clock.date(DAY) });
        expect(await queue().claimNext(clock.date(DAY), clock.date(DAY + LEASE_MS))).toMatchObject({
          id,
          attempts: 2,
        });
        expect(await queue().retry(randomUUID(), clock.date(DAY))).toBe(false);
      });

      it('lists the events in a state, the pending and failed oldest first, the done newest first', async () => {
        const clock = eraClock();
        const events = [];
        for (let i = 0; i < 4; i++) events.push(await enqueue(clock.date(i * SECOND)));
        const [a, b, c, d] = events.map((e) => e.id) as [string, string, string, string];
        for (const id of [b, a]) {
          await queue().reschedule(id, { nextAttemptAt: clock.date(), failed: true, error: 'x' });
        }
        await queue().finish(database().db, c, clock.date(MINUTE));
        await queue().finish(database().db, d, clock.date(2 * MINUTE));
        const mine = new Set([a, b, c, d]);
        const listed = async (status: 'pending' | 'done' | 'failed') =>
          (await queue().list(status, 1000)).map((e) => e.id).filter((id) => mine.has(id));
        expect(await listed('failed')).toEqual([a, b]);
        expect(await listed('done')).toEqual([d, c]);
        expect(await listed('pending')).toEqual([]);
      });
    });

    describe('the processor', () => {
      it('runs the handler’s effect once, hands it the event, and marks the event done', async () => {
        const clock = eraClock();
        const { id, instanceId, event } = await enqueue(clock.date());
        const { runs, handler } = countingOrders();
        const run = processor(clock, { [ORDER_CREATED]: handler });
        expect(await run.drain()).toEqual({ done: 1, failed: 0 });
        expect(runs).toEqual([{ instanceId, attempt: 1, event }]);
        expect(await effectsOf(instanceId)).toBe(1);
        expect(await get(id)).toMatchObject({ status: 'done', attempts: 1, doneAt: clock.date() });

        clock.advance(DAY);
        expect(await run.drain()).toEqual({ done: 0, failed: 0 });
        expect(runs).toHaveLength(1);
        expect(await effectsOf(instanceId)).toBe(1);
      });

      it('runs the effect once when five drains take the same event at once', async () => {
        const clock = eraClock();
        const { id, instanceId } = await enqueue(clock.date());
        const { runs, handler } = countingOrders();
        const slow: EventHandler = async (event, ctx) => {
          await sleep(30);
          await handler(event, ctx);
        };
        const results = await Promise.all(
          Array.from({ length: 5 }, () => processor(clock, { [ORDER_CREATED]: slow }).drain()),
        );
        expect(results.reduce((sum, r) => sum + r.done, 0)).toBe(1);
        expect(results.reduce((sum, r) => sum + r.failed, 0)).toBe(0);
        expect(runs).toHaveLength(1);
        expect(await effectsOf(instanceId)).toBe(1);
        expect(await get(id)).toMatchObject({ status: 'done', attempts: 1 });
      });

      it('runs each effect once when two contexts drain at once, each over its own connection', async () => {
        const clock = eraClock();
        const queued = [];
        for (let i = 0; i < 12; i++) {
          // Queued through either connection: they are one database.
          queued.push(await enqueue(clock.date(i), { on: i % 2 ? second() : database() }));
        }
        const { runs, handler } = countingOrders();
        const slow: EventHandler = async (event, ctx) => {
          await sleep(10);
          await handler(event, ctx);
        };
        clock.advance(SECOND);
        const [first, other] = await Promise.all([
          processor(clock, { [ORDER_CREATED]: slow }, database()).drain(),
          processor(clock, { [ORDER_CREATED]: slow }, second()).drain(),
        ]);
        expect(first!.done + other!.done).toBe(12);
        expect(first!.failed + other!.failed).toBe(0);
        expect(runs.map((r) => r.instanceId).sort()).toEqual(
          queued.map((q) => q.instanceId).sort(),
        );
        for (const { id, instanceId } of queued) {
          expect(await effectsOf(instanceId)).toBe(1);
          expect(await get(id)).toMatchObject({ status: 'done', attempts: 1 });
        }
      });

      it('runs the effect once when the lease ran out while the first run was still going: the late transaction rolls back', async () => {
        const clock = eraClock();
        const { id, instanceId } = await enqueue(clock.date());
        const entered = gate();
        const release = gate();
        let lateEffects = 0;
        const slowRun = processor(clock, {
          [ORDER_CREATED]: async (_event, ctx) => {
            entered.open();
            await release.opened; // a slow call to another service
            await ctx.transaction(async (tenant) => {
              lateEffects++;
              await addEffect(tenant);
            });
          },
        });
        const { runs, handler } = countingOrders();
        const laterRun = processor(clock, { [ORDER_CREATED]: handler }, second());

        const slowDrain = slowRun.drain();
        await entered.opened;
        // Leased: nobody else takes it yet.
        expect(await laterRun.drain()).toEqual({ done: 0, failed: 0 });
        clock.advance(LEASE_MS + 1);
        expect(await laterRun.drain()).toEqual({ done: 1, failed: 0 });
        expect(runs).toMatchObject([{ attempt: 2 }]);
        expect(await effectsOf(instanceId)).toBe(1);

        release.open();
        // Its transaction found the event done: rolled back, quietly (no failure, no retry).
        expect(await slowDrain).toEqual({ done: 1, failed: 0 });
        expect(lateEffects).toBe(0);
        expect(await effectsOf(instanceId)).toBe(1);
        expect(await get(id)).toMatchObject({ status: 'done', attempts: 2, lastError: null });
      });

      it('makes a second run that reaches the done-mark while the first one’s transaction is open wait, then roll back', async () => {
        const clock = eraClock();
        const { id, instanceId } = await enqueue(clock.date());
        const firstEntered = gate();
        const firstGoes = gate();
        const firstInside = gate();
        const firstCommits = gate();
        const secondEntered = gate();
        const secondGoes = gate();
        let secondEffects = 0;
        const firstRun = processor(clock, {
          [ORDER_CREATED]: async (_event, ctx) => {
            firstEntered.open();
            await firstGoes.opened;
            await ctx.transaction(async (tenant) => {
              await addEffect(tenant);
              firstInside.open();
              await firstCommits.opened;
            });
          },
        });
        const secondRun = processor(
          clock,
          {
            [ORDER_CREATED]: async (_event, ctx) => {
              secondEntered.open();
              await secondGoes.opened;
              await ctx.transaction(async (tenant) => {
                secondEffects++;
                await addEffect(tenant);
              });
            },
          },
          second(),
        );

        const firstDrain = firstRun.drain();
        await firstEntered.opened;
        clock.advance(LEASE_MS + 1);
        let secondSettled = false;
        const secondDrain = secondRun.drain().finally(() => {
          secondSettled = true;
        });
        await secondEntered.opened;
        firstGoes.open();
        await firstInside.opened; // the first run's transaction holds the done-mark, uncommitted
        secondGoes.open();
        await sleep(300);
        expect(secondSettled).toBe(false);
        expect(secondEffects).toBe(0);

        firstCommits.open();
        expect(await firstDrain).toEqual({ done: 1, failed: 0 });
        expect(await secondDrain).toEqual({ done: 1, failed: 0 });
        expect(secondEffects).toBe(0);
        expect(await effectsOf(instanceId)).toBe(1);
        expect(await get(id)).toMatchObject({ status: 'done', attempts: 2 });
      });

      // On PGlite a transaction holds the one connection: everything else waits for it anyway.
      it.runIf(options.secondConnection)(
        'takes the next due event at once, not waiting for one a run holds in its open transaction',
        async () => {
          const clock = eraClock();
          const held = await enqueue(clock.date());
          const next = await enqueue(clock.date(1));
          const inside = gate();
          const commit = gate();
          const firstRun = processor(clock, {
            [ORDER_CREATED]: async (_event, ctx) => {
              await ctx.transaction(async (tenant) => {
                await addEffect(tenant);
                inside.open();
                await commit.opened;
              });
            },
          });
          const firstDrain = firstRun.drain({ limit: 1 });
          await inside.opened;
          // Its lease is over, so the held event looks due; its row is locked by the done-mark.
          clock.advance(LEASE_MS + 1);
          const claim = second().eventQueue.claimNext(clock.date(), clock.date(LEASE_MS));
          const waited = await Promise.race([
            claim.then((item) => item?.id),
            sleep(1_000).then(() => 'still waiting after 1 s'),
          ]);
          commit.open();
          await firstDrain;
          await claim;
          expect(waited).toBe(next.id);
          expect(await get(held.id)).toMatchObject({ status: 'done', attempts: 1 });
        },
      );

      it('retries a handler that threw once its backoff is over, on the context’s clock', async () => {
        const clock = eraClock();
        const { id, instanceId } = await enqueue(clock.date());
        const { runs, handler } = countingOrders();
        let calls = 0;
        const run = processor(clock, {
          [ORDER_CREATED]: async (event, ctx) => {
            if (++calls === 1) throw new Error('payment service down');
            await handler(event, ctx);
          },
        });
        expect(await run.drain()).toEqual({ done: 0, failed: 1 });
        expect(await get(id)).toMatchObject({
          status: 'pending',
          attempts: 1,
          nextAttemptAt: clock.date(backoffMs(1)),
          lastError: expect.stringContaining('payment service down'),
        });
        expect(await effectsOf(instanceId)).toBe(0);

        clock.advance(backoffMs(1) - 1);
        expect(await run.drain()).toEqual({ done: 0, failed: 0 });
        expect(calls).toBe(1);
        clock.advance(1);
        expect(await run.drain()).toEqual({ done: 1, failed: 0 });
        expect(runs).toMatchObject([{ attempt: 2 }]);
        expect(await effectsOf(instanceId)).toBe(1);
        expect(await get(id)).toMatchObject({ status: 'done', attempts: 2, lastError: null });
      });

      it('rolls back the effect of a handler that throws inside ctx.transaction, and applies it once on the retry', async () => {
        const clock = eraClock();
        const { id, instanceId } = await enqueue(clock.date());
        let calls = 0;
        const run = processor(clock, {
          [ORDER_CREATED]: async (_event, ctx) => {
            calls++;
            await ctx.transaction(async (tenant) => {
              await addEffect(tenant);
              if (calls === 1) throw new Error('a constraint of yours');
            });
          },
        });
        expect(await run.drain()).toEqual({ done: 0, failed: 1 });
        expect(await effectsOf(instanceId)).toBe(0);
        expect(await get(id)).toMatchObject({ status: 'pending', doneAt: null });
        clock.advance(backoffMs(1));
        expect(await run.drain()).toEqual({ done: 1, failed: 0 });
        expect(await effectsOf(instanceId)).toBe(1);
      });

      it('gives up after MAX_EVENT_ATTEMPTS tries, keeps the event as failed, and runs it once more when retried', async () => {
        const clock = eraClock();
        const { id, instanceId } = await enqueue(clock.date());
        let broken = true;
        let calls = 0;
        const run = processor(clock, {
          [ORDER_CREATED]: async (event, ctx) => {
            calls++;
            if (broken) throw new Error(`still broken (${ctx.attempt})`);
            await countEffect(event, ctx);
          },
        });
        for (let attempt = 1; attempt <= MAX_EVENT_ATTEMPTS; attempt++) {
          expect(await run.drain()).toEqual({ done: 0, failed: 1 });
          const item = await get(id);
          expect(item.attempts).toBe(attempt);
          expect(item.lastError).toContain(`still broken (${attempt})`);
          expect(item.status).toBe(attempt < MAX_EVENT_ATTEMPTS ? 'pending' : 'failed');
          clock.advance(backoffMs(attempt));
        }
        expect(calls).toBe(MAX_EVENT_ATTEMPTS);
        clock.advance(DAY);
        expect(await run.drain()).toEqual({ done: 0, failed: 0 });
        expect(calls).toBe(MAX_EVENT_ATTEMPTS);
        expect((await queue().list('failed', 1000)).map((e) => e.id)).toContain(id);

        broken = false;
        expect(await queue().retry(id, clock.date())).toBe(true);
        expect(await run.drain()).toEqual({ done: 1, failed: 0 });
        expect(await effectsOf(instanceId)).toBe(1);
        expect(await get(id)).toMatchObject({ status: 'done', attempts: MAX_EVENT_ATTEMPTS + 1 });
        expect(await queue().retry(id, clock.date())).toBe(false);
        clock.advance(DAY);
        expect(await run.drain()).toEqual({ done: 0, failed: 0 });
        expect(await effectsOf(instanceId)).toBe(1);
      });

      it('marks done, when it returns, an event whose handler made no database change', async () => {
        const clock = eraClock();
        const { id } = await enqueue(clock.date());
        let calls = 0;
        const run = processor(clock, {
          [ORDER_CREATED]: async () => {
            calls++; // an email, say: nothing in the database
          },
        });
        expect(await run.drain()).toEqual({ done: 1, failed: 0 });
        expect(await get(id)).toMatchObject({ status: 'done', doneAt: clock.date() });
        clock.advance(DAY);
        expect(await run.drain()).toEqual({ done: 0, failed: 0 });
        expect(calls).toBe(1);
      });

      it('keeps an event whose handler is not registered here, as a failed attempt to retry', async () => {
        const clock = eraClock();
        const eventType = 'wix.stores.v1.product_created';
        const { id } = await enqueue(clock.date(), { eventType });
        const run = processor(clock, { [ORDER_CREATED]: countEffect });
        expect(run.handles(eventType)).toBe(false);
        expect(await run.drain()).toEqual({ done: 0, failed: 1 });
        expect(await get(id)).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: expect.stringContaining(`no handler for ${eventType}`),
        });
      });

      it('runs at most `limit` events in one drain', async () => {
        const clock = eraClock();
        for (let i = 0; i < 3; i++) await enqueue(clock.date(i));
        const run = processor(clock, { [ORDER_CREATED]: async () => {} });
        clock.advance(SECOND);
        expect(await run.drain({ limit: 2 })).toEqual({ done: 2, failed: 0 });
        expect(await run.drain()).toEqual({ done: 1, failed: 0 });
      });
    });
  });
}
