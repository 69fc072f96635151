/**
 * What the shared Wix budget (packages/wix-app-backend/src/wix/postgres-budget-store.ts) adds to each Wix call: µs per
 * reservation against a PostgreSQL, next to a bare `select 1` round trip and the in-memory store.
 * Writes rows for random instance ids only; use a throwaway database:
 *
 *   bash scripts/with-postgres.sh npx tsx scripts/wix-budget-cost.ts
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { openAppDatabase } from 'wix-app-backend/app/database';
import { createMemoryBudgetStore, type BudgetStore } from 'wix-app-backend/wix/budget-store';
import { createPostgresBudgetStore } from 'wix-app-backend/wix/postgres-budget-store';

const N = 3_000;
/** A rule no loop here exhausts: every reservation is granted without a wait. */
const PLENTY = { burst: 1e9, perMinute: 1e12, maxWaitMs: 10_000 };

async function perCall(label: string, run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await run(i); // warm-up: connections, plans
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await run(i);
  const us = Number(process.hrtime.bigint() - started) / 1_000 / N;
  console.log(`${label.padEnd(52)} ${us.toFixed(0).padStart(6)} µs`);
  return us;
}

async function throughput(label: string, inFlight: number, run: (i: number) => Promise<unknown>) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < N) await run(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${label.padEnd(52)} ${(N / seconds).toFixed(0).padStart(6)} /s`);
}

async function main() {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('set TEST_DATABASE_URL (bash scripts/with-postgres.sh …)');
  const database = await openAppDatabase({ databaseUrl: url, dataDir: 'unused' });
  try {
    const store: BudgetStore = createPostgresBudgetStore(database.db);
    const memory = createMemoryBudgetStore();
    const ids = Array.from({ length: 1_000 }, () => randomUUID());
    const refuse = { burst: 1, perMinute: 1, maxWaitMs: 0 };

    const roundTrip = await perCall('select 1 (one round trip)', () =>
      database.db.execute(sql`select 1`),
    );
    const reserve = await perCall('reserve: one instance, again and again', () =>
      store.reserve(ids[0]!, PLENTY),
    );
    await perCall('reserve: 1,000 instances in turn', (i) =>
      store.reserve(ids[i % 1_000]!, PLENTY),
    );
    await perCall('reserve: a new instance each time (inserts)', () =>
      store.reserve(randomUUID(), PLENTY),
    );
    await perCall('reserve refused (a second statement for Retry-After)', () =>
      store.reserve(ids[1]!, refuse),
    );
    await perCall('in memory (PGlite)', (i) => memory.reserve(ids[i % 1_000]!, PLENTY));
    console.log(`a reservation costs ${(reserve / roundTrip).toFixed(2)}× a bare round trip`);
    await throughput('10 in flight, one instance (one row lock)', 10, () =>
      store.reserve(ids[2]!, PLENTY),
    );
    await throughput('10 in flight, 1,000 instances', 10, (i) =>
      store.reserve(ids[i % 1_000]!, PLENTY),
    );
  } finally {
    await database.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
