/**
 * An auth strategy for `@wix/sdk`'s `createClient({ auth, modules })` backed by our token
 * provider, so SDK module calls share our cached, single-flight app tokens instead of
 * `AppStrategy`'s per-process mint (which has no stampede guard). See docs/wix-sdk.md.
 */
import type { AppTokenProvider } from './app-token-provider';

export interface SdkAuthStrategy {
  getAuthHeaders(): Promise<{ headers: { Authorization: string } }>;
}

export function createSdkAuthStrategy(
  tokens: AppTokenProvider,
  instanceId: string,
): SdkAuthStrategy {
  return {
    async getAuthHeaders() {
      return { headers: { Authorization: await tokens.getToken(instanceId) } };
    },
  };
}
