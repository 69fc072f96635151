/**
 * Verifies a Wix access token (from `fetchWithAuth`) through Token Info (docs/wix-protocol.md,
 * "Access tokens and Token Info").
 * Token Info needs no credentials, so ANY app's token introspects as active: a token counts only
 * if `active` is true (Wix's own example sends the string "true"), `clientId` is our app id and
 * `instanceId` is present.
 *
 * Results are cached under the token's SHA-256 (the token itself is never kept) until the earlier
 * of its expiry and TOKEN_INFO_CACHE_MAX_SECONDS; refusals for TOKEN_INFO_REFUSAL_CACHE_SECONDS.
 * Concurrent checks of one token share one introspection. An outage is not a refusal: it gives
 * `token_info_unavailable` (503) and is not cached. A token not in the cache costs a call, so it
 * is admitted by its standing's budget first (token-standing.ts, token-info-guard.ts).
 */
import { z } from 'zod';
import { sha256Hex } from '../crypto/hmac';
import { createTtlCache } from '../cache/ttl-cache';
import { isStorableText } from '../validation/storable-text';
import { createTokenInfoGuard, UNATTRIBUTED, type TokenInfoGuard } from './token-info-guard';
import { createKnownInstances, tokenStanding, type KnownInstances } from './token-standing';
import { isWixApiError } from '../wix/wix-api-error';
import type { WixFetch } from '../wix/wix-fetch';

export const TOKEN_INFO_CACHE_MAX_SECONDS = 300;
export const TOKEN_INFO_REFUSAL_CACHE_SECONDS = 30;
export const TOKEN_INFO_CACHE_MAX_ENTRIES = 10_000;
/**
 * Token Info calls in flight at once; more wait their turn. Bounds what a burst of new tokens
 * costs Wix while it is failing: the first failures open the breaker before the rest are sent.
 */
export const TOKEN_INFO_MAX_CONCURRENT = 4;

export interface AccessTokenInfo {
  instanceId: string;
  subjectType: string;
  subjectId: string | null;
  siteId: string | null;
  expiresAt: Date | null;
}

export type AccessTokenFailureReason =
  'invalid_token' | 'wrong_app' | 'token_info_unavailable' | 'too_many_requests';
export type VerifyAccessTokenResult =
  | { ok: true; value: AccessTokenInfo }
  | { ok: false; reason: AccessTokenFailureReason; detail: string; retryAfterSeconds?: number };

const seconds = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const TokenInfo = z.looseObject({
  active: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
  clientId: z.string().nullish(),
  instanceId: z.string().nullish(),
  subjectType: z.string().nullish(),
  subjectId: z.string().nullish(),
  siteId: z.string().nullish(),
  exp: seconds.nullish(),
});

export function createAccessTokenVerifier(options: {
  appId: string;
  wixFetch: WixFetch;
  now?: () => number;
  maxEntries?: number;
  /** Budgets and the circuit breaker for calls caused by unknown tokens (token-info-guard.ts). */
  guard?: TokenInfoGuard;
  /** Instances verified lately: their tokens are admitted first; accepted tokens add theirs. */
  knownInstances?: KnownInstances;
}): (token: string, client?: string) => Promise<VerifyAccessTokenResult> {
  const now = options.now ?? Date.now;
  const guard = options.guard ?? createTokenInfoGuard({ now });
  const known = options.knownInstances ?? createKnownInstances({ now });
  let active = 0;
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    if (active >= TOKEN_INFO_MAX_CONCURRENT) await new Promise<void>((r) => waiting.push(r));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  const unavailable = (retryAfterSeconds: number): VerifyAccessTokenResult => ({
    ok: false,
    reason: 'token_info_unavailable',
    detail: 'Token Info failed moments ago; not asked again yet',
    retryAfterSeconds,
  });
  /** One call to Token Info, in turn, unless it has started failing meanwhile. */
  const introspectInTurn = async (key: string, token: string) => {
    await acquire();
    try {
      const openFor = guard.openForSeconds();
      return openFor > 0 ? unavailable(openFor) : await introspect(key, token);
    } finally {
      release();
    }
  };
  const cache = createTtlCache<VerifyAccessTokenResult>({
    maxEntries: options.maxEntries ?? TOKEN_INFO_CACHE_MAX_ENTRIES,
    now,
  });
  const inFlight = new Map<string, Promise<VerifyAccessTokenResult>>();

  const introspect = async (key: string, token: string): Promise<VerifyAccessTokenResult> => {
    let body: unknown;
    try {
      body = (
        await options.wixFetch({ method: 'POST', path: '/oauth2/token-info', body: { token } })
      ).body;
    } catch (error) {
      // A 4xx is Wix refusing the token; anything else means we could not ask.
      if (
        isWixApiError(error) &&
        error.kind === 'http' &&
        error.status !== undefined &&
        error.status < 500 &&
        error.status !== 429
      ) {
        guard.answered();
        return remember(key, refuse('invalid_token', `Token Info answered ${error.status}`));
      }
      guard.failed();
      return {
        ok: false,
        reason: 'token_info_unavailable',
        detail: error instanceof Error ? error.message : String(error),
      };
    }
    const parsed = TokenInfo.safeParse(body);
    if (!parsed.success) guard.failed();
    else guard.answered();
    if (!parsed.success)
      return {
        ok: false,
        reason: 'token_info_unavailable',
        detail: 'Token Info answered an unexpected shape',
      };
    const info = parsed.data;
    if (!info.active) return remember(key, refuse('invalid_token', 'token is not active'));
    if (info.clientId !== options.appId)
      return remember(key, refuse('wrong_app', 'token was issued to another app'));
    if (!info.instanceId)
      return remember(key, refuse('invalid_token', 'token carries no instanceId'));
    // The tenant key goes into every query: one PostgreSQL cannot store is not an instance id.
    if (!isStorableText(info.instanceId) || info.instanceId.length > 256)
      return remember(key, refuse('invalid_token', 'token carries an unusable instanceId'));
    const expiresAt = info.exp != null ? new Date(info.exp * 1000) : null;
    const result: VerifyAccessTokenResult = {
      ok: true,
      value: {
        instanceId: info.instanceId,
        subjectType: info.subjectType ?? 'UNKNOWN',
        subjectId: info.subjectId && isStorableText(info.subjectId) ? info.subjectId : null,
        siteId: info.siteId ?? null,
        expiresAt,
      },
    };
    const untilExpiry = expiresAt ? expiresAt.getTime() - now() : Infinity;
    if (untilExpiry <= 0) return remember(key, refuse('invalid_token', 'token has expired'));
    known.remember(info.instanceId);
    cache.set(key, result, Math.min(untilExpiry, TOKEN_INFO_CACHE_MAX_SECONDS * 1000));
    return result;
  };

  const refuse = (reason: AccessTokenFailureReason, detail: string): VerifyAccessTokenResult => ({
    ok: false,
    reason,
    detail,
  });
  const remember = (key: string, result: VerifyAccessTokenResult) => {
    cache.set(key, result, TOKEN_INFO_REFUSAL_CACHE_SECONDS * 1000);
    return result;
  };

  return async function verifyAccessToken(token, client = UNATTRIBUTED) {
    const key = await sha256Hex(token);
    const cached = cache.get(key);
    if (cached) {
      // A cached acceptance still ends at the token's own expiry.
      if (cached.ok && cached.value.expiresAt && cached.value.expiresAt.getTime() <= now()) {
        return refuse('invalid_token', 'token has expired');
      }
      return cached;
    }
    let pending = inFlight.get(key);
    if (!pending) {
      // A token nobody has checked yet: this is what costs Wix a call, so it is budgeted.
      const openFor = guard.openForSeconds();
      if (openFor > 0) return unavailable(openFor);
      const admitted = guard.admit(client, tokenStanding(token, known));
      if (!admitted.ok) {
        return {
          ok: false,
          reason: 'too_many_requests',
          detail: 'too many unknown tokens from this client',
          retryAfterSeconds: admitted.retryAfterSeconds,
        };
      }
      pending = introspectInTurn(key, token).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };
}
