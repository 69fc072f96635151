/**
 * The database schema (drizzle). One table per concept; every tenant row is keyed by the
 * verified instance id. Migrations in lib/db/migrations are generated from this file with
 * `npm run db:generate` and applied at startup (lib/db/migrate.ts).
 */
import { integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per app instance (one install of the app on one site). */
export const instances = pgTable('instances', {
  instanceId: text('instance_id').primaryKey(),
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
  /** Filled by the lifecycle webhooks: null until Wix has told us anything. */
  status: text('status'),
  /** The paid plan (Wix `vendorProductId`); null = free or unknown. */
  plan: text('plan'),
});

/** The settings document of one instance, with a version for optimistic concurrency. */
export const settings = pgTable('settings', {
  instanceId: text('instance_id')
    .primaryKey()
    .references(() => instances.instanceId, { onDelete: 'cascade' }),
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
  instanceId: text('instance_id').primaryKey(),
  sealedToken: text('sealed_token').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  mintedAt: timestamp('minted_at', { withTimezone: true, mode: 'date' }).notNull(),
});
