/**
 * The Wix budget in PostgreSQL (src/wix/postgres-budget-store.ts): the store contract, then what
 * only a shared database shows — several processes (here, connection pools) reserving for one
 * instance at once share one bucket, and the rows stay one per instance and go with the purge.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { AppDatabase } from '../../src/app/database';
import type { BudgetRule, Reservation } from '../../src/wix/budget-store';
import {
  WIX_CALLS_PER_INSTANCE_BURST,
  WIX_CALLS_PER_INSTANCE_PER_MINUTE,
  MAX_BUDGET_WAIT_MS,
} from '../../src/wix/instance-budget';
import { createPostgresBudgetStore } from '../../src/wix/postgres-budget-store';
import { openMigratedDatabase, queryRows, useAppDatabase } from '../db/database.contract';
import { budgetStoreContract } from './budget-store.contract';

const url = process.env.TEST_DATABASE_URL;
const open = () => openMigratedDatabase({ databaseUrl: url ?? null, dataDir: 'unused' });

/** The production rule: 20 at once, then 160 a minute, waits up to 10 s. */
const DEFAULT_RULE: BudgetRule = {
  burst: WIX_CALLS_PER_INSTANCE_BURST,
  perMinute: WIX_CALLS_PER_INSTANCE_PER_MINUTE,
  maxWaitMs: MAX_BUDGET_WAIT_MS,
};

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
describe.skipIf(!url)('PostgreSQL (TEST_DATABASE_URL)', () => {
  const database = useAppDatabase(open);
  budgetStoreContract('PostgreSQL', () => createPostgresBudgetStore(database().db));

  describe('shared by several processes', () => {
    const pools = [useAppDatabase(open), useAppDatabase(open), useAppDatabase(open)];
    const stores = () =>
      [database, ...pools].map((db: () => AppDatabase) => createPostgresBudgetStore(db().db));

    it('lets four pools reserving at once for one instance start no more than one bucket allows', async () => {
      const id = randomUUID();
      const all = stores();
      // 160 reservations at once, 40 from each pool (each pool holds up to 10 connections).
      const began = Date.now();
      const results = await Promise.all(
        Array.from({ length: 160 }, async (_, i) => {
          const reservation: Reservation = await all[i % 4]!.reserve(id, DEFAULT_RULE);
          return reservation.ok ? Date.now() + reservation.waitMs : null;
        }),
      );
      const reservingMs = Date.now() - began;
      const starts = results.filter((t): t is number => t !== null).sort((a, b) => a - b);
      // One bucket: 20 at once, then 160 a minute for the 10 s a caller may wait = 46, plus what
      // refills while the reservations run (≈ 1 per 375 ms: more on a busy machine). Four
      // buckets would have granted 4 × 46.
      const perMs = DEFAULT_RULE.perMinute / 60_000;
      const oneBucket = Math.floor(DEFAULT_RULE.burst + perMs * DEFAULT_RULE.maxWaitMs);
      expect(starts.length).toBeGreaterThanOrEqual(oneBucket);
      expect(starts.length).toBeLessThanOrEqual(oneBucket + Math.ceil(perMs * reservingMs) + 1);
      // And no stretch of time holds more starts than a burst plus its refill (1 of slack for
      // the milliseconds between a reservation's answer and Date.now()).
      for (let i = 0; i < starts.length; i++) {
        for (let j = i; j < starts.length; j++) {
          expect(j - i + 1).toBeLessThanOrEqual(
            DEFAULT_RULE.burst + (starts[j]! - starts[i]!) * perMs + 1,
          );
        }
      }
    });

    it('gives no pool a head start: a second pool sees what the first one took', async () => {
      const id = randomUUID();
      const [a, b] = stores();
      for (let i = 0; i < DEFAULT_RULE.burst; i++) await a!.reserve(id, DEFAULT_RULE);
      const next = await b!.reserve(id, DEFAULT_RULE);
      expect(next.ok && next.waitMs).toBeGreaterThan(0);
    });
  });

  describe('rows', () => {
    it('keeps one row per instance, however many reservations', async () => {
      const id = randomUUID();
      const store = createPostgresBudgetStore(database().db);
      for (let i = 0; i < 30; i++) await store.reserve(id, DEFAULT_RULE);
      const rows = await queryRows<{ n: number }>(
        database().db,
        sql`select count(*)::int as n from wix_call_budgets where instance_id = ${id}`,
      );
      expect(rows[0]!.n).toBe(1);
    });

    it('records an instance never seen before, so the row has its instance to reference', async () => {
      const id = randomUUID();
      await createPostgresBudgetStore(database().db).reserve(id, DEFAULT_RULE);
      const rows = await queryRows<{ n: number }>(
        database().db,
        sql`select count(*)::int as n from instances where instance_id = ${id}`,
      );
      expect(rows[0]!.n).toBe(1);
    });

    it('goes with its instance when a removed instance is purged', async () => {
      const id = randomUUID();
      await createPostgresBudgetStore(database().db).reserve(id, DEFAULT_RULE);
      // Removed in 1984 (purge.contract.ts's era): no other test's instance is that old.
      await database().db.execute(
        sql`update instances set status = 'removed', removed_at = '1984-01-01T00:00:00Z' where instance_id = ${id}`,
      );
      await database().purgeRemovedInstances(new Date('1984-01-02T00:00:00Z'));
      const rows = await queryRows<{ n: number }>(
        database().db,
        sql`select count(*)::int as n from wix_call_budgets where instance_id = ${id}`,
      );
      expect(rows[0]!.n).toBe(0);
    });
  });
});
