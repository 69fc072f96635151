/**
 * The `event_queue` table: events waiting for a handler, claimed one at a time with a lease so
 * that two processes never run the same one at once, and marked done inside the handler's own
 * transaction — which is what makes its effect happen once (docs/decisions/020-event-queue.md).
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { guardDatabase } from '../db/errors';
import type { Db, Tx } from '../db/open-database';
import { eventQueue } from '../db/schema';
import type { WixEvent } from './wix-event';

export type QueuedStatus = 'pending' | 'done' | 'failed';

export interface QueuedEvent {
  id: string;
  instanceId: string;
  eventType: string;
  event: WixEvent;
  status: QueuedStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  receivedAt: Date;
  doneAt: Date | null;
}

export interface EventQueue {
  /** In the transaction that records the delivery: queue it for its handler. */
  enqueue(
    tx: Tx,
    item: { id: string; instanceId: string; event: WixEvent; at: Date },
  ): Promise<void>;
  /**
   * Takes the oldest pending event that is due and not leased, leases it until `leaseUntil` and
   * counts the attempt. Null when there is none.
   */
  claimNext(now: Date, leaseUntil: Date): Promise<QueuedEvent | null>;
  /** In the handler's transaction: marks it done, if it still is pending (false otherwise). */
  finish(tx: Tx | Db, id: string, at: Date): Promise<boolean>;
  /** After a failed attempt: due again at `nextAttemptAt`, or given up (`failed`). */
  reschedule(
    id: string,
    outcome: { nextAttemptAt: Date; failed: boolean; error: string },
  ): Promise<void>;
  /** Events in a state, oldest first (at most `limit`). */
  list(status: QueuedStatus, limit?: number): Promise<QueuedEvent[]>;
  get(id: string): Promise<QueuedEvent | null>;
  /** Puts a failed (or pending) event back to run now; false if there is none or it is done. */
  retry(id: string, now: Date): Promise<boolean>;
}

export function createEventQueue(db: Db): EventQueue {
  const toQueued = (row: typeof eventQueue.$inferSelect): QueuedEvent => ({
    id: row.id,
    instanceId: row.instanceId,
    eventType: row.eventType,
    event: row.event as WixEvent,
    status: row.status as QueuedStatus,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    receivedAt: row.receivedAt,
    doneAt: row.doneAt,
  });

  return {
    async enqueue(tx, { id, instanceId, event, at }) {
      await tx
        .insert(eventQueue)
        .values({
          id,
          instanceId,
          eventType: event.eventType,
          event,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: at,
          receivedAt: at,
        })
        .onConflictDoNothing();
    },

    claimNext: (now, leaseUntil) =>
      guardDatabase(async () => {
        // One statement: the row is chosen and leased at once, and SKIP LOCKED lets two
        // processes claim two different events instead of waiting on one.
        const due = db
          .select({ id: eventQueue.id })
          .from(eventQueue)
          .where(
            and(
              eq(eventQueue.status, 'pending'),
              sql`${eventQueue.nextAttemptAt} <= ${now.toISOString()}::timestamptz`,
              sql`(${eventQueue.leaseUntil} is null or ${eventQueue.leaseUntil} < ${now.toISOString()}::timestamptz)`,
            ),
          )
          .orderBy(asc(eventQueue.receivedAt))
          .limit(1)
          .for('update', { skipLocked: true });
        const [row] = await db
          .update(eventQueue)
          .set({ leaseUntil: leaseUntil, attempts: sql`${eventQueue.attempts} + 1` })
          .where(sql`${eventQueue.id} = (${due})`)
          .returning();
        return row ? toQueued(row) : null;
      }),

    async finish(q, id, at) {
      const done = await q
        .update(eventQueue)
        .set({ status: 'done', doneAt: at, leaseUntil: null, lastError: null })
        .where(and(eq(eventQueue.id, id), eq(eventQueue.status, 'pending')))
        .returning({ id: eventQueue.id });
      return done.length > 0;
    },

    reschedule: (id, { nextAttemptAt, failed, error }) =>
      guardDatabase(async () => {
        await db
          .update(eventQueue)
          .set({
            status: failed ? 'failed' : 'pending',
            nextAttemptAt,
            leaseUntil: null,
            lastError: error,
          })
          .where(and(eq(eventQueue.id, id), eq(eventQueue.status, 'pending')));
      }),

    list: (status, limit = 100) =>
      guardDatabase(async () =>
        (
          await db
            .select()
            .from(eventQueue)
            .where(eq(eventQueue.status, status))
            .orderBy(status === 'done' ? desc(eventQueue.doneAt) : asc(eventQueue.receivedAt))
            .limit(limit)
        ).map(toQueued),
      ),

    get: (id) =>
      guardDatabase(async () => {
        const [row] = await db.select().from(eventQueue).where(eq(eventQueue.id, id)).limit(1);
        return row ? toQueued(row) : null;
      }),

    retry: (id, now) =>
      guardDatabase(async () => {
        const updated = await db
          .update(eventQueue)
          .set({ status: 'pending', nextAttemptAt: now, leaseUntil: null })
          .where(and(eq(eventQueue.id, id), sql`${eventQueue.status} <> 'done'`))
          .returning({ id: eventQueue.id });
        return updated.length > 0;
      }),
  };
}
