/**
 * What a credential nobody has seen before may cost. Checking an access token means a call to
 * Wix's Token Info, and anybody can send a fresh string shaped like a token: without a bound,
 * each one costs a call to Wix (more while Wix is failing), on any /api path. So calls caused by
 * unknown tokens are budgeted — per client address and overall — and past the budget the caller
 * gets 429 `too_many_requests` with Retry-After, never a call. And when Token Info is failing,
 * the failure is remembered for a few seconds (a circuit breaker): an outage costs Wix a probe
 * now and then, not a call per request. Known tokens (the cache) and signed instances never come
 * here, so they keep working through an attack or an outage.
 *
 * The overall budget is shared by every caller (without a trusted client address, it is the only
 * budget), so it is shared out by standing (token-standing.ts, decision 034): a token that does
 * not look like Wix's has a small budget of its own and may never take the overall one below
 * half, one naming no instance we know may not take it below a quarter, and only tokens of
 * instances already verified may spend the rest. A flood of garbage costs Wix a call a second and leaves
 * first-time visitors the budget; a flood of forgeries made to look like Wix's still leaves the
 * sites we know theirs.
 */
import { TOKEN_INFO_BREAKER_SECONDS } from '../wix/timeouts';
import type { TokenStanding } from './token-standing';

/** Per client address: a burst, then a steady rate. A page load needs one or two. */
export const TOKEN_INFO_PER_CLIENT_BURST = 10;
export const TOKEN_INFO_PER_CLIENT_PER_MINUTE = 60;
/**
 * For the whole process, whatever the addresses (or, without a trusted one, every caller at
 * once): new tokens only — each is then cached for up to five minutes — so five a second is a
 * great many visitors, and a flood costs Wix a few dozen calls, not one each.
 */
export const TOKEN_INFO_OVERALL_BURST = 20;
export const TOKEN_INFO_OVERALL_PER_MINUTE = 300;
/**
 * Tokens not shaped like Wix's, on top of the overall budget: a call a second. Wix issues none of
 * these today; if it ever does, they are slowed under attack, never refused.
 */
export const TOKEN_INFO_UNRECOGNISED_BURST = 4;
export const TOKEN_INFO_UNRECOGNISED_PER_MINUTE = 60;
/** The share of the overall burst each standing must leave to the better ones. */
export const TOKEN_INFO_RESERVED_SHARE: Readonly<Record<TokenStanding, number>> = {
  known: 0,
  plausible: 1 / 4,
  unrecognised: 1 / 2,
};
const MAX_TRACKED_CLIENTS = 10_000;
/** The client of a request whose address cannot be trusted. */
export const UNATTRIBUTED = 'unattributed';

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface TokenInfoGuard {
  /**
   * May `client` cause a Token Info call now for a token of this standing? Spends one unit of
   * each budget concerned when it may. Without a standing, the token is treated as `known`.
   */
  admit(client: string, standing?: TokenStanding): Admission;
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

interface Limit {
  burst: number;
  perMinute: number;
}

export function createTokenInfoGuard(
  options: {
    now?: () => number;
    perClient?: Limit;
    overall?: Limit;
    unrecognised?: Limit;
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
  const unrecognisedLimit = options.unrecognised ?? {
    burst: TOKEN_INFO_UNRECOGNISED_BURST,
    perMinute: TOKEN_INFO_UNRECOGNISED_PER_MINUTE,
  };
  // What each standing must leave of the overall budget, in whole units of its burst.
  const reserved = (standing: TokenStanding) =>
    Math.floor(overallLimit.burst * TOKEN_INFO_RESERVED_SHARE[standing]);
  const breakerMs = (options.breakerSeconds ?? TOKEN_INFO_BREAKER_SECONDS) * 1000;
  const clients = new Map<string, Bucket>();
  const overall: Bucket = { tokens: overallLimit.burst, at: now() };
  const unrecognised: Bucket = { tokens: unrecognisedLimit.burst, at: now() };
  let openUntil = 0;

  /** Refills `bucket` to now; the seconds until it holds `needed` units (0 if it does). */
  const refill = (bucket: Bucket, limit: Limit, t: number, needed = 1) => {
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((t - bucket.at) * limit.perMinute) / 60_000,
    );
    bucket.at = t;
    return bucket.tokens >= needed
      ? 0
      : Math.ceil(((needed - bucket.tokens) * 60) / limit.perMinute);
  };

  return {
    admit(client, standing = 'known') {
      const t = now();
      // A unit may be spent only above what this standing must leave to the better ones.
      const overallWait = refill(overall, overallLimit, t, 1 + reserved(standing));
      const ownWait = standing === 'unrecognised' ? refill(unrecognised, unrecognisedLimit, t) : 0;
      let bucket: Bucket | null = null;
      let clientWait = 0;
      // Without a trusted address there is no client to keep apart: the shared budgets only.
      if (client !== UNATTRIBUTED) {
        bucket = clients.get(client) ?? { tokens: perClient.burst, at: t };
        clientWait = refill(bucket, perClient, t);
        // Least recently seen first out: memory stays flat however many addresses appear.
        clients.delete(client);
        clients.set(client, bucket);
        if (clients.size > MAX_TRACKED_CLIENTS) {
          clients.delete(clients.keys().next().value as string);
        }
      }
      const wait = Math.max(clientWait, overallWait, ownWait);
      if (wait > 0) return { ok: false, retryAfterSeconds: Math.max(1, wait) };
      if (bucket) bucket.tokens -= 1;
      if (standing === 'unrecognised') unrecognised.tokens -= 1;
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
