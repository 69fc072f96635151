/**
 * What an event handler is, and what it is handed. Handlers are registered by event type in
 * lib/wix-app.ts; each runs after Wix has had its 200, as many times as it takes to
 * succeed, and its database changes — made inside `ctx.transaction` — happen exactly once
 * (docs/decisions/020-event-queue.md).
 */
import type { Tx } from '../db/open-database';
import type { Logger } from '../log';
import type { InstanceWixClient } from '../wix/app-client';
import type { WixEvent } from './wix-event';

/** A tenant whose database access is a transaction: pass it to data modules (`TenantDb`). */
export interface TenantTx {
  readonly instanceId: string;
  readonly db: Tx;
}

export interface EventContext {
  /** The installation the event concerns. */
  readonly instanceId: string;
  /**
   * Runs `effect` in a transaction that also marks the event handled: its database changes
   * commit together with that mark, once, however often the event is delivered or the handler
   * retried — and not at all if another run got there first. Call it once, last: do slow work
   * (calls to Wix, to other services) before it, not inside.
   */
  transaction<T>(effect: (tenant: TenantTx) => Promise<T>): Promise<T>;
  /** Calls Wix REST APIs as the app for this instance. */
  readonly wix: InstanceWixClient;
  readonly log: Logger;
  /** 1 the first time, more on a retry. */
  readonly attempt: number;
}

/**
 * Handles one event. Throwing keeps the event: it is retried with backoff (and listed by
 * `npm run webhooks:failed` once it has failed too often). Anything it does outside
 * `ctx.transaction` (an email, a call) may happen again on a retry: make it safe to repeat.
 */
export type EventHandler = (event: WixEvent, ctx: EventContext) => Promise<void>;

/** Handlers by Wix event type: `AppInstalled`, `wix.ecom.v1.order_created`, … */
export type EventHandlers = Readonly<Record<string, EventHandler>>;
