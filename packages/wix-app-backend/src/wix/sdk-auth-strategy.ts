/**
 * An auth strategy for `@wix/sdk`'s `createClient({ auth, modules })` backed by our token
 * provider, so SDK module calls share our cached, single-flight app tokens instead of
 * `AppStrategy`'s per-process mint (which has no stampede guard). See docs/wix-sdk.md.
 *
 * The SDK has no hook for "Wix refused this token": after an SDK call fails with 401, call
 * `handleUnauthorized()` and retry once — the next `getAuthHeaders()` then gets a new token.
 */
import type { AppTokenProvider } from './app-token-provider';

export interface SdkAuthStrategy {
  getAuthHeaders(): Promise<{ headers: { Authorization: string } }>;
  /** Drops the token last handed out (if it is still current), so the next call mints anew. */
  handleUnauthorized(): Promise<void>;
}

export function createSdkAuthStrategy(
  tokens: AppTokenProvider,
  instanceId: string,
): SdkAuthStrategy {
  let lastToken: string | null = null;
  return {
    async getAuthHeaders() {
      lastToken = await tokens.getToken(instanceId);
      return { headers: { Authorization: lastToken } };
    },
    async handleUnauthorized() {
      if (lastToken !== null) await tokens.invalidate(instanceId, lastToken);
    },
  };
}
