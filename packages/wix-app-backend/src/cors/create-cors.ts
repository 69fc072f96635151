/**
 * Strict CORS for the API (docs/wix-protocol.md, "CORS"). Origins are compared exactly, as whole
 * canonical strings — never by substring or prefix, the bug in Wix's Express sample that lets
 * `https://<id>.wix.run.attacker.example` through. Built once; `decide` is the hot path. This
 * module only decides and names headers: the gate (src/http/gate.ts) turns a refusal into a 403.
 */

/** Chromium caps preflight caching at 2 hours; a longer value buys nothing. */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200;
/**
 * Methods preflights allow: every method a route handler can export. A route that does not
 * serve one answers 405 itself, so a new route or method never needs an edit here.
 */
export const STANDARD_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Request headers the API reads. `Authorization` and JSON bodies are not CORS-safelisted. */
export const ALLOWED_REQUEST_HEADERS = ['authorization', 'content-type', 'if-match'] as const;
/** Response headers the demo and Wix frontends need to read from script. */
export const EXPOSED_RESPONSE_HEADERS = ['etag', 'retry-after', 'www-authenticate'] as const;

// Any port, canonical form only (no leading zeros), as browsers serialise an Origin header.
const LOCALHOST_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::([1-9]\d{0,4}))?$/;

export interface CorsOptions {
  /** The Wix app id; `https://<appId>.wix.run` is always allowed. */
  appId: string;
  /** Extra exact origins, already canonical (see src/cors/parse-origin.ts). */
  allowedOrigins?: readonly string[];
  /** Allow http://localhost, http://127.0.0.1 and http://[::1] on any port. */
  allowLocalhost: boolean;
  /** Methods preflights advertise; default `STANDARD_METHODS`. */
  allowedMethods?: readonly string[];
}

export type CorsDecision =
  /** No Origin header: not a browser cross-origin call, so CORS has nothing to say. */
  { kind: 'no-origin' } | { kind: 'allowed'; origin: string } | { kind: 'refused'; origin: string };

export interface Cors {
  isOriginAllowed(origin: string | null): boolean;
  decide(request: Request): CorsDecision;
  /**
   * The headers answering an `OPTIONS` preflight: the 204's headers when its origin is allowed,
   * null when the preflight must be refused (403, without Access-Control-Allow-Origin).
   */
  preflightHeaders(request: Request): Record<string, string> | null;
  /** The CORS headers for an actual response (always `Vary: Origin`). */
  responseHeaders(decision: CorsDecision): Record<string, string>;
}

/** Builds the CORS policy once from its options. */
export function createCors(options: CorsOptions): Cors {
  const exact = new Set<string>([
    `https://${options.appId.toLowerCase()}.wix.run`,
    ...(options.allowedOrigins ?? []),
  ]);
  const allowMethods = (options.allowedMethods ?? STANDARD_METHODS).join(', ');
  const allowHeaders = ALLOWED_REQUEST_HEADERS.join(', ');
  const exposeHeaders = EXPOSED_RESPONSE_HEADERS.join(', ');

  const isOriginAllowed = (origin: string | null): boolean => {
    if (!origin) return false;
    if (exact.has(origin)) return true;
    if (!options.allowLocalhost) return false;
    const match = LOCALHOST_ORIGIN.exec(origin);
    return match !== null && (match[1] === undefined || Number(match[1]) <= 65535);
  };

  const decide = (request: Request): CorsDecision => {
    const origin = request.headers.get('origin');
    if (origin === null) return { kind: 'no-origin' };
    return isOriginAllowed(origin) ? { kind: 'allowed', origin } : { kind: 'refused', origin };
  };

  return {
    isOriginAllowed,
    decide,
    preflightHeaders(request) {
      const decision = decide(request);
      if (decision.kind !== 'allowed') return null;
      return {
        'access-control-allow-origin': decision.origin,
        'access-control-allow-methods': allowMethods,
        'access-control-allow-headers': allowHeaders,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
        vary: 'Origin',
      };
    },
    responseHeaders(decision): Record<string, string> {
      if (decision.kind !== 'allowed') return { vary: 'Origin' };
      return {
        'access-control-allow-origin': decision.origin,
        'access-control-expose-headers': exposeHeaders,
        vary: 'Origin',
      };
    },
  };
}
