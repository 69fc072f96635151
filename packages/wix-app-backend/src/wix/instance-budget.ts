/**
 * A per-instance call budget kept under Wix's limit of 200 requests per minute per app instance,
 * so the app slows itself down (a wait) instead of collecting 429s. A token bucket per instance:
 * a burst of `burst` calls, then a steady `perMinute / 60` per second, so no 60-second window
 * ever holds more than `burst + perMinute` (20 + 160 = 180) calls: a tenth below Wix's limit, the
 * headroom for what the bucket does not count (token mints, Token Info) and for clock skew. The buckets live in a
 * `BudgetStore` (src/wix/budget-store.ts): this process's memory on PGlite, PostgreSQL when many
 * processes share it, so the limit holds for all of them together
 * (docs/decisions/023-shared-wix-budget.md). Wix's own 429s are still retried by wix-fetch.
 */
import { createMemoryBudgetStore, type BudgetStore } from './budget-store';
import { WixApiError } from './wix-api-error';

export const WIX_CALLS_PER_INSTANCE_PER_MINUTE = 160;
export const WIX_CALLS_PER_INSTANCE_BURST = 20;
/** Longer than this and the caller gets 503 with Retry-After instead of a slow answer. */
export const MAX_BUDGET_WAIT_MS = 10_000;

export interface InstanceBudget {
  /** Resolves when a call may go out; rejects with a `budget` WixApiError if the wait is too long. */
  acquire(instanceId: string): Promise<void>;
}

export function createInstanceBudget(
  options: {
    /** Where the buckets live; default: this process's memory, on the `now` clock. */
    store?: BudgetStore;
    perMinute?: number;
    /** Calls allowed at once before pacing starts; at most `perMinute`. */
    burst?: number;
    maxWaitMs?: number;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): InstanceBudget {
  const perMinute = options.perMinute ?? WIX_CALLS_PER_INSTANCE_PER_MINUTE;
  const rule = {
    perMinute,
    burst: options.burst ?? Math.min(WIX_CALLS_PER_INSTANCE_BURST, perMinute),
    maxWaitMs: options.maxWaitMs ?? MAX_BUDGET_WAIT_MS,
  };
  const store = options.store ?? createMemoryBudgetStore({ now: options.now });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  return {
    async acquire(instanceId) {
      const reservation = await store.reserve(instanceId, rule);
      if (!reservation.ok) {
        throw new WixApiError(
          'budget',
          { retryAfterSeconds: Math.ceil(reservation.retryAfterMs / 1000) },
          'per-instance Wix budget spent',
        );
      }
      if (reservation.waitMs > 0) await sleep(reservation.waitMs);
    },
  };
}
