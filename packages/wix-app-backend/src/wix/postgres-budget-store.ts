/**
 * The per-instance Wix budget in PostgreSQL, shared by every process that uses the database
 * (docs/decisions/023-shared-wix-budget.md). One row per instance (`wix_call_budgets`), one
 * statement per reservation: an upsert that refills the bucket by the time elapsed since its last
 * refill and takes one call, all under the row lock the upsert holds, so concurrent reservations
 * from any number of processes queue one behind the other. The database's clock is the only
 * clock, so processes whose clocks disagree still share one bucket.
 */
import { sql } from 'drizzle-orm';
import { guardDatabase } from '../db/errors';
import type { Db } from '../db/open-database';
import { rowsOf } from '../db/rows';
import { waitForOneCall, type BudgetStore } from './budget-store';

export function createPostgresBudgetStore(db: Pick<Db, 'execute'>): BudgetStore {
  return {
    reserve: (instanceId, rule) =>
      guardDatabase(async () => {
        const perSecond = rule.perMinute / 60;
        // The bucket refilled to now, capped at one burst. `now()` is the statement's start:
        // a statement that started before the one holding the row lock must not see time run
        // backwards, hence greatest(0, …) and greatest(refilled_at, now()) below.
        const refilled = sql`least(${rule.burst}::float8, b.tokens + greatest(0, extract(epoch from now() - b.refilled_at)::float8) * ${perSecond}::float8)`;
        // A call may borrow a slot only if it would wait at most maxWaitMs for it.
        const lowest = 1 - (rule.maxWaitMs / 60_000) * rule.perMinute;
        const rows = rowsOf<{ tokens: number }>(
          await db.execute(sql`
            with seen as (
              -- The row references its instance; a script may call Wix for one never seen here.
              insert into instances (instance_id, first_seen_at, last_seen_at)
              values (${instanceId}, now(), now())
              on conflict do nothing
            )
            insert into wix_call_budgets as b (instance_id, tokens, refilled_at)
            values (${instanceId}, ${rule.burst - 1}::float8, now())
            on conflict (instance_id) do update
              set tokens = ${refilled} - 1, refilled_at = greatest(b.refilled_at, now())
              where ${refilled} >= ${lowest}::float8
            returning tokens`),
        );
        const taken = rows[0];
        if (taken)
          return { ok: true, waitMs: waitForOneCall(Number(taken.tokens) + 1, rule.perMinute) };
        // Refused (rare, and already slow): a second look, for Retry-After only.
        const [bucket] = rowsOf<{ tokens: number }>(
          await db.execute(
            sql`select ${refilled} as tokens from wix_call_budgets b where b.instance_id = ${instanceId}`,
          ),
        );
        return {
          ok: false,
          retryAfterMs: waitForOneCall(Number(bucket?.tokens ?? rule.burst), rule.perMinute),
        };
      }),
  };
}
