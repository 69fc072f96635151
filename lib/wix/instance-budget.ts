/**
 * A per-instance call budget kept under Wix's limit of 200 requests per minute per app instance,
 * so the app slows itself down (a wait) instead of collecting 429s. A token bucket per instance:
 * a burst of `burst` calls, then a steady `perMinute / 60` per second, so no 60-second window
 * ever holds more than `burst + perMinute` (20 + 180 = 200) calls. Per process; Wix's own 429s
 * are still retried by wix-fetch.
 */
import { WixApiError } from './wix-api-error';

export const WIX_CALLS_PER_INSTANCE_PER_MINUTE = 180;
export const WIX_CALLS_PER_INSTANCE_BURST = 20;
/** Longer than this and the caller gets 503 with Retry-After instead of a slow answer. */
export const MAX_BUDGET_WAIT_MS = 10_000;
const MAX_TRACKED_INSTANCES = 10_000;

export interface InstanceBudget {
  /** Resolves when a call may go out; rejects with a `budget` WixApiError if the wait is too long. */
  acquire(instanceId: string): Promise<void>;
}

export function createInstanceBudget(
  options: {
    perMinute?: number;
    /** Calls allowed at once before pacing starts; at most `perMinute`. */
    burst?: number;
    maxWaitMs?: number;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): InstanceBudget {
  const perMinute = options.perMinute ?? WIX_CALLS_PER_INSTANCE_PER_MINUTE;
  const capacity = options.burst ?? Math.min(WIX_CALLS_PER_INSTANCE_BURST, perMinute);
  const ratePerMs = perMinute / 60_000;
  const maxWaitMs = options.maxWaitMs ?? MAX_BUDGET_WAIT_MS;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const buckets = new Map<string, { tokens: number; at: number }>();

  return {
    async acquire(instanceId) {
      const t = now();
      const bucket = buckets.get(instanceId) ?? { tokens: capacity, at: t };
      bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * ratePerMs);
      bucket.at = t;
      // Reserve the slot now (tokens may go negative): later callers queue behind earlier ones.
      const waitMs = bucket.tokens >= 1 ? 0 : (1 - bucket.tokens) / ratePerMs;
      if (waitMs > maxWaitMs) {
        throw new WixApiError(
          'budget',
          { retryAfterSeconds: Math.ceil(waitMs / 1000) },
          'per-instance Wix budget spent',
        );
      }
      bucket.tokens -= 1;
      buckets.delete(instanceId);
      buckets.set(instanceId, bucket);
      // A forgotten instance just starts again with a full bucket, the same as one long idle.
      if (buckets.size > MAX_TRACKED_INSTANCES)
        buckets.delete(buckets.keys().next().value as string);
      if (waitMs > 0) await sleep(waitMs);
    },
  };
}
