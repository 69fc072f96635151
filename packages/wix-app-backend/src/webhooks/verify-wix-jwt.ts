/**
 * What every body Wix signs with the app's key pair shares, whatever it carries: a webhook
 * delivery (verify-webhook.ts) and a service-plugin call (../service-plugins/verify-service-
 * plugin-request.ts) are each one compact JWT, RS256 only, tried against each public key the app
 * trusts while its key is being changed, with `exp` (and the times it names) checked the same
 * way. Each verifier names the failures its own way and reads its own `data` claim.
 *
 * The algorithm is pinned: `alg: none`, and an HS256 token "signed" with the public key as an
 * HMAC secret, are refused before any claim is read. The checks are jose's, made around
 * node:crypto's synchronous verify (../crypto/verify-rs256-jwt.ts, decision 036's addendum: Web
 * Crypto's thread-pool hand-off cost a checkout call more than the RSA work). Never throws on
 * bad input.
 */
import type { KeyObject } from 'node:crypto';
import { createRs256JwtVerifier } from '../crypto/verify-rs256-jwt';

/** Clock difference tolerated on `exp`/`iat`/`nbf`. */
export const WIX_JWT_CLOCK_LEEWAY_SECONDS = 60;
/** A body dated further ahead than this is refused: nothing Wix signs now is from the future. */
export const WIX_JWT_MAX_FUTURE_IAT_SECONDS = 300;
/**
 * The latest time a claim may name: 9999-12-31T23:59:59Z, in seconds. A real body's `iat` and
 * `exp` lie within hours of now; beyond this (or before 1970) JavaScript or PostgreSQL cannot
 * hold the date, and a body naming one is malformed, not a server failure.
 */
export const WIX_JWT_LATEST_CLAIM_SECONDS = 253_402_300_799;

/** Why a body was refused: its signature, its age, or its form. */
export type WixJwtFailure = 'signature' | 'expired' | 'malformed';

export type VerifyWixJwtResult =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; failure: WixJwtFailure; detail: string };

export interface WixJwtOptions {
  /** Claims a body must carry, `exp` at least: without it a captured body replays forever. */
  requiredClaims: readonly string[];
  /** The issuer every body must name, if Wix names one for this kind of body. */
  issuer?: string;
  now: () => number;
}

const refuse = (failure: WixJwtFailure, detail: string): VerifyWixJwtResult => ({
  ok: false,
  failure,
  detail,
});

/** A verifier of bodies signed with one of `keys` (the first whose signature matches wins). */
export function createWixJwtVerifier(
  keys: readonly KeyObject[],
  options: WixJwtOptions,
): (body: string) => Promise<VerifyWixJwtResult> {
  if (keys.length === 0) throw new Error('a Wix JWT verifier needs at least one public key');
  const { now, issuer } = options;
  const verifyRs256 = createRs256JwtVerifier(keys, {
    ...(issuer === undefined ? {} : { issuer }),
    requiredClaims: options.requiredClaims,
    clockToleranceSeconds: WIX_JWT_CLOCK_LEEWAY_SECONDS,
    now,
  });

  return async function verifyWixJwt(body) {
    const token = body.trim();
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token))
      return refuse('malformed', 'body is not a compact JWT');
    const verified = verifyRs256(token);
    if (!verified.ok) {
      if (verified.failure === 'expired') return refuse('expired', 'exp has passed');
      if (verified.failure === 'claim')
        return refuse(
          'malformed',
          verified.reason === 'missing'
            ? `the body has no ${verified.claim} claim`
            : `${verified.claim}: ${verified.detail}`,
        );
      return refuse('signature', verified.detail);
    }
    const { claims } = verified;

    for (const claim of ['iat', 'exp', 'nbf'] as const) {
      const value = claims[claim];
      if (value !== undefined && !isPlausibleTime(value))
        return refuse('malformed', `${claim} is not a time Wix can sign`);
    }
    if (
      typeof claims.iat === 'number' &&
      claims.iat > now() / 1000 + WIX_JWT_MAX_FUTURE_IAT_SECONDS
    )
      return refuse('malformed', 'iat is too far in the future');
    return { ok: true, claims };
  };
}

/** Seconds since 1970 that a date in JavaScript and in PostgreSQL can both hold. */
function isPlausibleTime(seconds: unknown): boolean {
  return (
    typeof seconds === 'number' &&
    Number.isFinite(seconds) &&
    seconds >= 0 &&
    seconds <= WIX_JWT_LATEST_CLAIM_SECONDS
  );
}
