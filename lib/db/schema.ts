/**
 * The database schema (drizzle). One table per concept; every tenant row is keyed by the
 * verified instance id through `instanceIdColumn()`, which hangs the table off `instances`: the
 * purge of a removed instance then removes its rows with no code per table
 * (test/lib/db/purge.contract.ts fails for any `instance_id` column that escapes it).
 * Migrations in lib/db/migrations are generated from this file with `npm run db:generate` and
 * applied at startup (lib/db/migrate.ts). Adding a table: docs/adding-a-route.md.
 */
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** One row per app instance (one install of the app on one site). */
export const instances = pgTable('instances', {
  instanceId: text('instance_id').primaryKey(),
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
  /** `installed` or `removed`, from the lifecycle webhooks; null until Wix has told us. */
  status: text('status'),
  /** When the event behind `status` happened: older deliveries never overwrite newer ones. */
  statusAt: timestamp('status_at', { withTimezone: true, mode: 'date' }),
  /** Set while removed: the data is purged DATA_RETENTION_DAYS after this. */
  removedAt: timestamp('removed_at', { withTimezone: true, mode: 'date' }),
  /** The paid plan (Wix `vendorProductId`); null = free or unknown. */
  plan: text('plan'),
  planCycle: text('plan_cycle'),
  planExpiresAt: timestamp('plan_expires_at', { withTimezone: true, mode: 'date' }),
  /** False once Wix reports the auto-renewal cancelled; null when unknown. */
  planAutoRenews: boolean('plan_auto_renews'),
  /** When the event behind the plan fields happened. */
  planAt: timestamp('plan_at', { withTimezone: true, mode: 'date' }),
  /**
   * When the event behind `planAutoRenews` happened: a clock of its own, so a cancelled renewal
   * and a plan change each win over what is older than them, whatever order they arrive in.
   */
  planRenewalAt: timestamp('plan_renewal_at', { withTimezone: true, mode: 'date' }),
});

/**
 * The tenant key of a per-instance table: `instance_id`, referencing `instances` with
 * `ON DELETE CASCADE`. Use it for every table that holds an instance's data.
 */
export function instanceIdColumn() {
  return text('instance_id')
    .notNull()
    .references(() => instances.instanceId, { onDelete: 'cascade' });
}

/** The settings document of one instance, with a version for optimistic concurrency. */
export const settings = pgTable('settings', {
  instanceId: instanceIdColumn().primaryKey(),
  document: jsonb('document').notNull(),
  version: integer('version').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  /** The Wix user id (`uid`) that saved this version, when the credential had one. */
  updatedBy: text('updated_by'),
});

/**
 * The app's OAuth access token per instance, shared by every process and serverless instance so
 * they mint one token between them instead of one each. The token is sealed (AES-GCM, key from
 * the app secret) so a database dump alone does not yield usable Wix credentials.
 */
export const wixAppTokens = pgTable('wix_app_tokens', {
  instanceId: instanceIdColumn().primaryKey(),
  sealedToken: text('sealed_token').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  mintedAt: timestamp('minted_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/**
 * The per-instance Wix call budget when processes share PostgreSQL (lib/wix/postgres-budget-store.ts,
 * docs/decisions/023-shared-wix-budget.md): one token bucket per instance, updated in place by
 * every reservation, so the table holds at most one small row per instance that called Wix and
 * the purge takes it with its instance.
 */
export const wixCallBudgets = pgTable('wix_call_budgets', {
  instanceId: instanceIdColumn().primaryKey(),
  /** Calls left in the bucket at `refilled_at`; negative while callers wait for borrowed slots. */
  tokens: doublePrecision('tokens').notNull(),
  refilledAt: timestamp('refilled_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/**
 * Every webhook delivery we accepted, keyed by the SHA-256 of its signed content: a redelivery of
 * the same event finds its row and has no second effect. When an instance is purged its
 * deliveries lose their `instance_id` (SET NULL) but stay, so replaying one of them is still a
 * duplicate; what remains names no site.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    deliveryId: text('delivery_id').primaryKey(),
    eventType: text('event_type').notNull(),
    instanceId: text('instance_id').references(() => instances.instanceId, {
      onDelete: 'set null',
    }),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    /**
     * The delivery's JWT `exp`: past it a copy is refused anyway, so the record may go
     * (DATA_RETENTION_DAYS later, by the purge). Null for deliveries recorded before it was kept.
     */
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    /** `applied`, `stale` (an older event than the state we hold) or `ignored` (unknown type). */
    outcome: text('outcome').notNull(),
    /**
     * Wix's own id of the event (standardized events' `data.id`), when it has one: a redelivery
     * may be a freshly signed JWT — another delivery id — carrying the same event id.
     */
    eventKey: text('event_key'),
  },
  (table) => [
    index('webhook_events_instance_id_idx').on(table.instanceId),
    uniqueIndex('webhook_events_event_key_idx').on(table.eventKey),
  ],
);

/**
 * Events waiting for (or done with) an event handler of yours (lib/wix-app.ts): written
 * in the transaction that records the delivery, run after Wix has its answer, retried with
 * backoff until a handler's transaction marks them done (docs/decisions/020-event-queue.md).
 * Per instance: a purge takes them with it.
 */
export const eventQueue = pgTable(
  'event_queue',
  {
    /** The delivery id (webhook_events.delivery_id). */
    id: text('id').primaryKey(),
    instanceId: instanceIdColumn(),
    eventType: text('event_type').notNull(),
    /** The event as handlers receive it (lib/events/wix-event.ts). */
    event: jsonb('event').notNull(),
    /** `pending`, `done` or `failed` (given up: `npm run webhooks:retry` puts it back). */
    status: text('status').notNull(),
    /** Handler runs started so far. */
    attempts: integer('attempts').notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** While a process runs the handler: others leave the event alone until then. */
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    /** Why the last attempt failed (a scrubbed message), for `npm run webhooks:failed`. */
    lastError: text('last_error'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    doneAt: timestamp('done_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [index('event_queue_due_idx').on(table.status, table.nextAttemptAt)],
);

/** A site's notes (docs/adding-a-route.md): a per-instance list, each note versioned. */
export const notes = pgTable(
  'notes',
  {
    id: text('id').primaryKey(),
    // The tenant key: references `instances`, so purging a removed instance deletes its notes.
    instanceId: instanceIdColumn(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    // Optimistic concurrency: the version is the ETag; a write names the one it read.
    version: integer('version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The Wix user id (`uid`) that created the note, when the credential had one. */
    createdBy: text('created_by'),
    /** The Wix user id (`uid`) that saved this version, when the credential had one. */
    updatedBy: text('updated_by'),
  },
  // Serves "this site's notes, newest first" — every list query — from one index.
  (table) => [index('notes_page_idx').on(table.instanceId, table.createdAt, table.id)],
);

/**
 * The example event handler's count (lib/examples/orders.ts): how many `wix.ecom.v1.order_created`
 * events each site has had, each counted once however often Wix delivers it.
 */
export const ordersSeen = pgTable('orders_seen', {
  instanceId: instanceIdColumn().primaryKey(),
  count: integer('count').notNull(),
});
