/**
 * Wix's per-instance API limit (200 requests per minute per app instance; docs/wix-protocol.md,
 * "Calling Wix as the app"), as
 * a sliding window over the injectable clock. Rejected calls do not use up the window.
 */

export const RATE_LIMIT_WINDOW_MS = 60_000;

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string): RateDecision;
}

/** `limit` calls per key per window; 0 turns the limit off. */
export function createRateLimiter(limit: number, now: () => number): RateLimiter {
  const calls = new Map<string, number[]>();
  return {
    take(key) {
      if (limit <= 0) return { ok: true };
      const t = now();
      const recent = (calls.get(key) ?? []).filter((at) => at > t - RATE_LIMIT_WINDOW_MS);
      calls.set(key, recent);
      if (recent.length >= limit) {
        // The oldest call in the window leaves it first; that is when one more call fits.
        const freesAt = recent[0]! + RATE_LIMIT_WINDOW_MS;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freesAt - t) / 1000)) };
      }
      recent.push(t);
      return { ok: true };
    },
  };
}
