/**
 * Shorter waits on Wix for the servers of the fault tests (test/e2e/wix-api.test.ts,
 * test/reliability/wix-faults.test.ts): the behaviour under test — a timeout becomes 504, a Token
 * Info outage 503 until the breaker lets a probe through — is the same at any length, and the
 * defaults (5 s, 3 s, 10 s) would have those files sit out a minute of timeouts. The defaults
 * themselves are checked by the unit tests of src/config/env.ts and src/wix/wix-fetch.ts.
 *
 * Long enough that a busy 2-core machine answering 20–200 concurrent calls through the
 * in-process emulator does not time out where a test expects success.
 */
import { tokenInfoRetryWindowMs, wixRetryWindowMs, type WixTimeouts } from '../wix/timeouts';

export const SHORT_WIX_TIMEOUTS: Readonly<WixTimeouts> = Object.freeze({
  requestMs: 2_000,
  tokenInfoMs: 1_500,
  tokenInfoBreakerSeconds: 2,
});

/** The environment that sets `timeouts` on a server. */
export function wixTimeoutsEnv(timeouts: WixTimeouts = SHORT_WIX_TIMEOUTS): Record<string, string> {
  return {
    WIX_TIMEOUT_MS: String(timeouts.requestMs),
    TOKEN_INFO_TIMEOUT_MS: String(timeouts.tokenInfoMs),
    TOKEN_INFO_BREAKER_SECONDS: String(timeouts.tokenInfoBreakerSeconds),
  };
}

/** The retry windows those timeouts give (src/wix/timeouts.ts). */
export const SHORT_WIX_RETRY_WINDOW_MS = wixRetryWindowMs(SHORT_WIX_TIMEOUTS.requestMs);
export const SHORT_TOKEN_INFO_RETRY_WINDOW_MS = tokenInfoRetryWindowMs(
  SHORT_WIX_TIMEOUTS.tokenInfoMs,
);
