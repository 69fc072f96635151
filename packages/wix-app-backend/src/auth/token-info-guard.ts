/**
 * What a credential nobody has seen before may cost. Checking an access token means a call to
 * Wix's Token Info, and anybody can send a fresh string shaped like a token: without a bound,
 * each one costs a call to Wix (more while Wix is failing), on any /api path. So calls caused by
 * unknown tokens are budgeted — per client address and overall — and past the budget the caller
 * gets 429 `too_many_requests` with Retry-After, never a call. And when Token Info is failing,
 * the failure is remembered for a few seconds (a circuit breaker): an outage costs Wix a probe
 * now and then, not a call per request. Known tokens (the cache) and signed instances never come
 * here, so they keep working through an attack or an outage.
 */
import { TOKEN_INFO_BREAKER_SECONDS } from '../wix/timeouts';

/** Per client address: a burst, then a steady rate. A page load needs one or two. */
export const TOKEN_INFO_PER_CLIENT_BURST = 10;
export const TOKEN_INFO_PER_CLIENT_PER_MINUTE = 60;
/**
 * For the whole process, whatever the addresses (or, without a trusted one, every caller at
 * once): new tokens only — each is then cached for up to five minutes — so five a second is a
 * great many visitors, and a flood of garbage costs Wix a few dozen calls, not one each.
 */
export const TOKEN_INFO_OVERALL_BURST = 20;
export const TOKEN_INFO_OVERALL_PER_MINUTE = 300;
const MAX_TRACKED_CLIENTS = 10_000;
/** The client of a request whose address cannot be trusted. */
export const UNATTRIBUTED = 'unattributed';

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface TokenInfoGuard {
  /** May `client` cause a Token Info call now? Spends one unit of both budgets when it may. */
  admit(client: string): Admission;
  /** Seconds until Token Info may be asked again after a failure; 0 when it may be now. */
  openForSeconds(): number;
  /** Token Info could not answer: stop asking for a while. */
  failed(): void;
  /** Token Info answered (a refusal counts): close the breaker. */
  answered(): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createTokenInfoGuard(
  options: {
    now?: () => number;
    perClient?: { burst: number; perMinute: number };
    overall?: { burst: number; perMinute: number };
    breakerSeconds?: number;
  } = {},
): TokenInfoGuard {
  const now = options.now ?? Date.now;
  const perClient = options.perClient ?? {
    burst: TOKEN_INFO_PER_CLIENT_BURST,
    perMinute: TOKEN_INFO_PER_CLIENT_PER_MINUTE,
  };
  const overallLimit = options.overall ?? {
    burst: TOKEN_INFO_OVERALL_BURST,
    perMinute: TOKEN_INFO_OVERALL_PER_MINUTE,
  };
  const breakerMs = (options.breakerSeconds ?? TOKEN_INFO_BREAKER_SECONDS) * 1000;
  const clients = new Map<string, Bucket>();
  const overall: Bucket = { tokens: overallLimit.burst, at: now() };
  let openUntil = 0;

  /** Refills `bucket` to now; the seconds until it holds one token (0 if it does). */
  const refill = (bucket: Bucket, limit: { burst: number; perMinute: number }, t: number) => {
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((t - bucket.at) * limit.perMinute) / 60_000,
    );
    bucket.at = t;
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) * 60) / limit.perMinute);
  };

  return {
    admit(client) {
      const t = now();
      const overallWait = refill(overall, overallLimit, t);
      if (client === UNATTRIBUTED) {
        // No address to keep apart: the overall budget is the only one.
        if (overallWait > 0) return { ok: false, retryAfterSeconds: Math.max(1, overallWait) };
        overall.tokens -= 1;
        return { ok: true };
      }
      const bucket = clients.get(client) ?? { tokens: perClient.burst, at: t };
      const clientWait = refill(bucket, perClient, t);
      // Least recently seen first out: memory stays flat however many addresses appear.
      clients.delete(client);
      clients.set(client, bucket);
      if (clients.size > MAX_TRACKED_CLIENTS) clients.delete(clients.keys().next().value as string);
      if (clientWait > 0 || overallWait > 0) {
        return { ok: false, retryAfterSeconds: Math.max(1, clientWait, overallWait) };
      }
      bucket.tokens -= 1;
      overall.tokens -= 1;
      return { ok: true };
    },
    openForSeconds() {
      const left = openUntil - now();
      return left > 0 ? Math.ceil(left / 1000) : 0;
    },
    failed() {
      openUntil = now() + breakerMs;
    },
    answered() {
      openUntil = 0;
    },
  };
}

/**
 * The address a budget is kept for: the one a trusted platform put in `header` (Vercel sets
 * `x-real-ip` itself; behind your own proxy, name the header it sets — CLIENT_IP_HEADER). Without
 * a trusted header every unknown token shares one budget: a client could claim any address it
 * likes, so trusting one would only let it mint budgets.
 */
export function clientAddress(request: Request, header: string | null): string {
  if (!header) return UNATTRIBUTED;
  const value = request.headers.get(header);
  // A proxy that appends keeps the address it saw last; one that sets the header writes one.
  const address = value?.split(',').pop()?.trim();
  return address && address.length <= 64 ? address : UNATTRIBUTED;
}
