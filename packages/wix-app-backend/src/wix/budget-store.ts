/**
 * Where the per-instance Wix budget (src/wix/instance-budget.ts) keeps its token buckets: one
 * interface, two stores. In memory for one process (PGlite: the data-dir lock makes it the only
 * one); in PostgreSQL (src/wix/postgres-budget-store.ts) when many processes share a database,
 * so that together they stay under Wix's limit (docs/decisions/023-shared-wix-budget.md). Every
 * store passes test/wix/budget-store.contract.ts.
 */

/** The bucket every instance gets. */
export interface BudgetRule {
  /** Calls allowed at once before pacing starts (the bucket's size). */
  burst: number;
  /** The steady refill. */
  perMinute: number;
  /** A reservation that would have to wait longer than this is refused instead. */
  maxWaitMs: number;
}

/**
 * A reservation: granted, with how long the caller must wait before its call may go out; or
 * refused (nothing is taken), with how long until a reservation would not have to wait.
 */
export type Reservation = { ok: true; waitMs: number } | { ok: false; retryAfterMs: number };

export interface BudgetStore {
  /**
   * Takes one call from the instance's bucket, atomically against every other reservation for
   * the instance that this store can see. Slots may be borrowed (the bucket goes negative): later
   * callers queue behind earlier ones.
   */
  reserve(instanceId: string, rule: BudgetRule): Promise<Reservation>;
}

const MAX_TRACKED_INSTANCES = 10_000;

/** The time a bucket holding `tokens` needs before one call fits without waiting. */
export function waitForOneCall(tokens: number, perMinute: number): number {
  return tokens >= 1 ? 0 : ((1 - tokens) * 60_000) / perMinute;
}

/** Buckets in this process's memory, the least recently used forgotten past 10,000 instances. */
export function createMemoryBudgetStore(options: { now?: () => number } = {}): BudgetStore {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    reserve(instanceId, rule) {
      const t = now();
      const bucket = buckets.get(instanceId) ?? { tokens: rule.burst, at: t };
      bucket.tokens = Math.min(
        rule.burst,
        bucket.tokens + ((t - bucket.at) * rule.perMinute) / 60_000,
      );
      bucket.at = t;
      const waitMs = waitForOneCall(bucket.tokens, rule.perMinute);
      if (waitMs > rule.maxWaitMs) return Promise.resolve({ ok: false, retryAfterMs: waitMs });
      bucket.tokens -= 1;
      buckets.delete(instanceId);
      buckets.set(instanceId, bucket);
      // A forgotten instance just starts again with a full bucket, the same as one long idle.
      if (buckets.size > MAX_TRACKED_INSTANCES)
        buckets.delete(buckets.keys().next().value as string);
      return Promise.resolve({ ok: true, waitMs });
    },
  };
}
