/**
 * The machinery's tables (drizzle): instances, the app's Wix tokens and call budgets, webhook
 * deliveries and the event queue. An app's own tables live in its schema (the template's
 * lib/db/schema.ts) and are keyed by the verified instance id through `instanceIdColumn()`,
 * which hangs them off `instances`: the purge of a removed instance then removes their rows with
 * no code per table (test/db/purge.contract.ts fails for any `instance_id` column that escapes
 * it). The migrations in this package's `migrations/` are generated from this file
 * (`npm run db:generate -w wix-app-backend`) and applied at startup before the app's own
 * (db/migrate.ts).
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
 * The per-instance Wix call budget when processes share PostgreSQL (src/wix/postgres-budget-store.ts,
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
     * may be a freshly signed JWT — another delivery id — carrying the same event id. Unique per
     * instance, not across them: another site's event with the same id is another event
     * (docs/decisions/033-odd-webhook-deliveries.md).
     */
    eventKey: text('event_key'),
  },
  (table) => [
    index('webhook_events_instance_id_idx').on(table.instanceId),
    uniqueIndex('webhook_events_instance_event_key_idx').on(table.instanceId, table.eventKey),
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
    /** The event as handlers receive it (src/events/wix-event.ts). */
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
