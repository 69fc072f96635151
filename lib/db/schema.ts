/**
 * This app's tables (drizzle). Every per-instance table is keyed by the verified instance id with
 * `instanceIdColumn()`, which references the machinery's `instances` table with ON DELETE
 * CASCADE: purging a removed instance removes its rows here with no code per table (the purge
 * contract fails for any `instance_id` column that escapes it). Migrations in lib/db/migrations
 * are generated from this file with `npm run db:generate` and applied at startup, after the
 * machinery's (wix-app-backend/db/migrate). Adding a table: docs/adding-a-route.md.
 */
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { instanceIdColumn } from 'wix-app-backend/db/schema';

/** The settings document of one instance, with a version for optimistic concurrency. */
export const settings = pgTable('settings', {
  instanceId: instanceIdColumn().primaryKey(),
  document: jsonb('document').notNull(),
  version: integer('version').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  /** The Wix user id (`uid`) that saved this version, when the credential had one. */
  updatedBy: text('updated_by'),
});

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

/**
 * The gift cards a site's owner issued (lib/gift-cards): the Gift Cards Provider plugin's data.
 * Amounts are kept in minor units (cents), so a balance moves by exact integer arithmetic.
 */
export const giftCards = pgTable(
  'gift_cards',
  {
    instanceId: instanceIdColumn(),
    code: text('code').notNull(),
    balanceCents: integer('balance_cents').notNull(),
    currency: text('currency').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.instanceId, table.code] })],
);

/**
 * Each redemption of a gift card, recorded in the transaction that moves its balance. The unique
 * (site, card, order) key is what makes a repeated redeem the same one: however many copies
 * arrive at once, one inserts the row and moves the balance, the others find it and answer its
 * result (the event queue's rule, decision 020). A redeem without an order is always new.
 */
export const giftCardTransactions = pgTable(
  'gift_card_transactions',
  {
    id: text('id').primaryKey(),
    instanceId: instanceIdColumn(),
    code: text('code').notNull(),
    orderId: text('order_id'),
    amountCents: integer('amount_cents').notNull(),
    /** The card's balance right after this redemption: the answer to a repeat. */
    remainingCents: integer('remaining_cents').notNull(),
    currency: text('currency').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    voidedAt: timestamp('voided_at', { withTimezone: true, mode: 'date' }),
    /** The card's balance right after the void: the answer to a repeated void. */
    voidRemainingCents: integer('void_remaining_cents'),
  },
  (table) => [
    uniqueIndex('gift_card_transactions_order_idx').on(table.instanceId, table.code, table.orderId),
  ],
);
