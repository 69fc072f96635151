/**
 * Runs queued events through their handlers: claim one (with a lease), run its handler, mark it
 * done in the handler's own transaction — or, when the handler throws, schedule another try with
 * backoff, and give up after MAX_EVENT_ATTEMPTS (the event stays, listed as failed, until
 * `npm run webhooks:retry`). A process that dies mid-handler leaves the event leased: once the
 * lease is over another run takes it, and the done-mark inside the effect's transaction keeps
 * the effect to one (docs/decisions/020-event-queue.md).
 */
import type { Db } from '../db/open-database';
import { errorFields, type Logger } from '../log';
import type { InstanceWixClient } from '../wix/app-client';
import type { EventQueue, QueuedEvent } from './event-queue';
import type { EventHandlers } from './handler';

/**
 * How often one process looks for due events: on a timer where the server keeps running
 * (src/app/startup.ts), and after a request where nothing outlives one (Vercel: the context's
 * `afterRequest`). A handler that failed runs again at most this long after its backoff ends,
 * given a request or a running server.
 */
export const EVENT_RETRY_INTERVAL_MS = 30_000;
/** How long one run may hold an event before another process may take it over. */
export const EVENT_LEASE_MS = 5 * 60_000;
/** Tries before an event is listed as failed: about 11 hours of backoff in all. */
export const MAX_EVENT_ATTEMPTS = 10;
/** The wait before the next try: 30 s, doubled each time, at most an hour. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000 * 2 ** (attempt - 1), 60 * 60_000);
}

export interface DrainResult {
  /** Events whose handler succeeded in this drain. */
  done: number;
  /** Events whose handler threw (retried later, or given up). */
  failed: number;
}

export interface EventProcessor {
  /** True when a handler is registered for `eventType`: only those are queued. */
  handles(eventType: string): boolean;
  /** Runs due events until none is left (or `limit` were run). Never throws for a handler. */
  drain(options?: { limit?: number }): Promise<DrainResult>;
}

export function createEventProcessor(deps: {
  db: Db;
  queue: EventQueue;
  handlers: EventHandlers;
  wixFor: (instanceId: string) => InstanceWixClient;
  log: Logger;
  now: () => number;
  leaseMs?: number;
}): EventProcessor {
  const { queue, handlers, log, now } = deps;
  const leaseMs = deps.leaseMs ?? EVENT_LEASE_MS;

  async function run(item: QueuedEvent): Promise<boolean> {
    const handler = handlers[item.eventType];
    let finished = false;
    try {
      if (!handler) throw new Error(`no handler for ${item.eventType}`);
      await handler(item.event, {
        instanceId: item.instanceId,
        attempt: item.attempts,
        wix: deps.wixFor(item.instanceId),
        log,
        transaction: (effect) =>
          deps.db.transaction(async (tx) => {
            // The mark first: a second run's transaction waits on this row, then finds it done.
            if (!(await queue.finish(tx, item.id, new Date(now())))) throw new AlreadyHandled();
            finished = true;
            return effect({ instanceId: item.instanceId, db: tx });
          }),
      });
      // A handler with no database effect is done when it returns.
      if (!finished) await queue.finish(deps.db, item.id, new Date(now()));
      return true;
    } catch (error) {
      if (error instanceof AlreadyHandled) return true;
      const failed = item.attempts >= MAX_EVENT_ATTEMPTS;
      const fields = errorFields(error);
      log.warn('event_handler_failed', {
        eventId: item.id,
        eventType: item.eventType,
        instanceId: item.instanceId,
        attempt: item.attempts,
        givenUp: failed,
        ...fields,
      });
      await queue.reschedule(item.id, {
        nextAttemptAt: new Date(now() + backoffMs(item.attempts)),
        failed,
        error: String(fields.errorMessage ?? fields.error).slice(0, 300),
      });
      return false;
    }
  }

  return {
    handles: (eventType) => Object.hasOwn(handlers, eventType),
    async drain({ limit = 100 } = {}) {
      const result: DrainResult = { done: 0, failed: 0 };
      for (let i = 0; i < limit; i++) {
        const t = now();
        const item = await queue.claimNext(new Date(t), new Date(t + leaseMs));
        if (!item) break;
        if (await run(item)) result.done++;
        else result.failed++;
      }
      return result;
    },
  };
}

/** Another run marked the event done first: this run's transaction rolls back, quietly. */
class AlreadyHandled extends Error {}
