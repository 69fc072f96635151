/**
 * RS256 JWT verification on node:crypto's one-shot `verify`, for what Wix signs with the app's
 * key pair (service-plugin calls and webhook deliveries, through src/webhooks/verify-wix-jwt.ts). jose's `jwtVerify` checks the same things, but verifies the
 * signature through Web Crypto, which Node runs as a job on libuv's thread pool for every call;
 * under load that hand-off, not the RSA arithmetic, was most of what the service-plugin entry
 * added to a call (docs/benchmarks.md, profiling notes). The synchronous verify does the same
 * RSA work on the calling thread (~20 µs for a 2048-bit key).
 *
 * The checks are jose's, in its order, with its options fixed to what these calls need:
 * - three parts, each canonical base64url (stricter than jose, which also takes a signature whose
 *   unused padding bits are set: here a signed body has one accepted text form); the protected header a JSON object;
 * - `alg` exactly RS256: `none`, HS256 keyed with the public key, anything else is refused
 *   before any key is touched; a `crit` header is refused too (this verifier understands no
 *   extension; jose understands only `b64`, which a JWT may not use);
 * - RSASSA-PKCS1-v1_5 with SHA-256 over the ASCII `header.payload`, against each key in turn
 *   (several while a key is being changed); a key shorter than 2048 bits verifies nothing
 *   (RFC 7518 §3.3; jose refuses such keys too);
 * - only then the claims: a JSON object (strict UTF-8); the required claims present; `iss` as
 *   given; `iat`, `nbf` and `exp` numbers where present; `nbf` not after now + leeway; `exp`
 *   after now − leeway.
 * test/crypto/verify-rs256-jwt.test.ts holds it to jose's verdict on the same tokens.
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import { decodeBase64url, decodeBase64urlLenient } from './base64url';

/** RFC 7518 §3.3: a key of this size or larger MUST be used with RS256. */
const MIN_RSA_BITS = 2048;

export type Rs256JwtResult =
  | { ok: true; claims: Record<string, unknown> }
  /** Not a JWT this verifier can check, or its signature does not verify: nothing in it counts. */
  | { ok: false; failure: 'invalid'; detail: string }
  /** Signed, but `exp` has passed (beyond the leeway). */
  | { ok: false; failure: 'expired'; detail: string }
  /** Signed, but a claim is missing, of the wrong type, or not what it must be. */
  | {
      ok: false;
      failure: 'claim';
      claim: string;
      reason: 'missing' | 'invalid' | 'check_failed';
      detail: string;
    };

export interface Rs256JwtOptions {
  /** The only accepted `iss`; it is then required too. */
  issuer?: string;
  /** Claims that must be present (e.g. `exp`, so a captured token cannot be replayed forever). */
  requiredClaims?: readonly string[];
  clockToleranceSeconds: number;
  now: () => number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const invalid = (detail: string): Rs256JwtResult => ({ ok: false, failure: 'invalid', detail });
const claimFailed = (
  claim: string,
  reason: 'missing' | 'invalid' | 'check_failed',
  detail: string,
): Rs256JwtResult => ({ ok: false, failure: 'claim', claim, reason, detail });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON.parse of base64url-encoded UTF-8, or null when any step fails. `authenticated`: the text
 * is covered by a signature already checked, so Node's native decoder may read it (~4× faster:
 * 0.5 against 2 µs for a checkout's 1.1 kB of claims; it skips characters outside the alphabet
 * instead of refusing them); anything else goes through the strict one.
 */
function decodeJson(part: string, authenticated = false): unknown {
  const bytes = authenticated ? decodeBase64urlLenient(part) : decodeBase64url(part);
  if (bytes === null) return null;
  try {
    return JSON.parse(strictUtf8.decode(bytes)) as unknown;
  } catch {
    return null;
  }
}

/** Builds the verifier for one or more public keys; it never throws on a token. */
export function createRs256JwtVerifier(
  publicKeys: readonly KeyObject[],
  options: Rs256JwtOptions,
): (token: string) => Rs256JwtResult {
  const keys = publicKeys.filter(
    (key) =>
      key.type === 'public' &&
      key.asymmetricKeyType === 'rsa' &&
      (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS,
  );
  // jose's order of the presence checks (the issuer's first), so the same token names the same
  // missing claim.
  const presence = [
    ...new Set(
      [
        ...(options.requiredClaims ?? []),
        ...(options.issuer === undefined ? [] : ['iss']),
      ].reverse(),
    ),
  ];

  return function verifyRs256Jwt(token) {
    const parts = token.split('.');
    if (parts.length !== 3) return invalid('not a compact JWS');
    const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];

    const header = decodeJson(encodedHeader);
    if (!isPlainObject(header)) return invalid('the protected header is not a JSON object');
    if (header.alg !== 'RS256') return invalid('alg is not RS256');
    if (header.crit !== undefined) return invalid('crit names an extension this verifier lacks');

    const signature = decodeBase64url(encodedSignature);
    if (signature === null || signature.length === 0) return invalid('no signature');
    const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
    const verified = keys.some((key) => {
      try {
        return verify(
          'sha256',
          signingInput,
          { key, padding: constants.RSA_PKCS1_PADDING },
          signature,
        );
      } catch {
        return false; // OpenSSL refusing the input is a signature that does not verify
      }
    });
    if (!verified) return invalid('the signature does not verify with any of the keys');

    const claims = decodeJson(encodedPayload, true);
    if (!isPlainObject(claims)) return invalid('the claims are not a JSON object');
    for (const claim of presence) {
      if (!Object.hasOwn(claims, claim))
        return claimFailed(claim, 'missing', `missing required "${claim}" claim`);
    }
    if (options.issuer !== undefined && claims.iss !== options.issuer)
      return claimFailed('iss', 'check_failed', 'unexpected "iss" claim value');

    const now = Math.floor(options.now() / 1000);
    const tolerance = options.clockToleranceSeconds;
    const notANumber = (claim: 'iat' | 'nbf' | 'exp') =>
      claims[claim] !== undefined && typeof claims[claim] !== 'number';
    if (notANumber('iat')) return claimFailed('iat', 'invalid', '"iat" claim must be a number');
    if (notANumber('nbf')) return claimFailed('nbf', 'invalid', '"nbf" claim must be a number');
    if (typeof claims.nbf === 'number' && claims.nbf > now + tolerance)
      return claimFailed('nbf', 'check_failed', '"nbf" claim timestamp check failed');
    if (notANumber('exp')) return claimFailed('exp', 'invalid', '"exp" claim must be a number');
    if (typeof claims.exp === 'number' && claims.exp <= now - tolerance)
      return { ok: false, failure: 'expired', detail: '"exp" claim timestamp check failed' };
    return { ok: true, claims };
  };
}
