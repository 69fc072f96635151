/**
 * How long the app waits on Wix. Each wait is a default here that the environment may change
 * (WIX_TIMEOUT_MS, TOKEN_INFO_TIMEOUT_MS, TOKEN_INFO_BREAKER_SECONDS; src/config/env.ts): an
 * app whose pages must fail faster shortens them, and the e2e and reliability suites shorten
 * them so their fault tests do not sit out five-second timeouts (docs/decisions/027-wix-timeouts.md).
 * The retry windows follow from the timeouts, so one number per kind of call is all there is to set.
 */

/** One attempt of a Wix call; a slow Wix must not hold our request (and the browser) for long. */
export const WIX_REQUEST_TIMEOUT_MS = 5_000;
/** All the attempts of one Wix call start within twice the timeout: room for one retry. */
export const wixRetryWindowMs = (timeoutMs: number): number => 2 * timeoutMs;

/**
 * Token Info sits on the authentication path of every access-token request: it gets a shorter
 * timeout and fewer tries than other Wix calls, so an outage answers 503 quickly.
 */
export const TOKEN_INFO_TIMEOUT_MS = 3_000;
export const TOKEN_INFO_MAX_ATTEMPTS = 2;
/**
 * One second more than a try: room for a second try after a quick failure (a refused connection,
 * a 5xx), and only a cut-short one after a timeout, so a hanging Token Info costs one wait.
 */
export const tokenInfoRetryWindowMs = (timeoutMs: number): number => timeoutMs + 1_000;
export const TOKEN_INFO_RETRY_WINDOW_MS = tokenInfoRetryWindowMs(TOKEN_INFO_TIMEOUT_MS);
/** After a failed check, Token Info is not asked again for this long (one probe after). */
export const TOKEN_INFO_BREAKER_SECONDS = 10;

export interface WixTimeouts {
  /** One attempt of a Wix REST call, in milliseconds. */
  requestMs: number;
  /** One attempt of a Token Info call, in milliseconds. */
  tokenInfoMs: number;
  /** How long Token Info is left alone after it failed, in seconds. */
  tokenInfoBreakerSeconds: number;
}
