/**
 * API-key mode (docs/wix-protocol.md, "API keys"), for an account owner's own scripts: the key goes raw in
 * `Authorization` with exactly one of `wix-site-id` (site-level methods, the usual case) or
 * `wix-account-id` (account-level methods such as managing sites). Not for acting on many
 * installed sites: that is what app tokens are for.
 */
import { mergeHeaders, type WixFetch, type WixRequest } from './wix-fetch';

export type ApiKeyCredentials =
  | { key: string; siteId: string; accountId?: never }
  | { key: string; accountId: string; siteId?: never };

export interface WixApiKeyClient {
  request<T = unknown>(request: WixRequest): Promise<T>;
}

export function apiKeyHeaders(credentials: ApiKeyCredentials): Record<string, string> {
  return credentials.siteId !== undefined
    ? { authorization: credentials.key, 'wix-site-id': credentials.siteId }
    : { authorization: credentials.key, 'wix-account-id': credentials.accountId };
}

export function createWixApiKeyClient(
  credentials: ApiKeyCredentials,
  wixFetch: WixFetch,
): WixApiKeyClient {
  const headers = apiKeyHeaders(credentials);
  return {
    async request<T>(request: WixRequest) {
      return (await wixFetch<T>({ ...request, headers: mergeHeaders(request.headers, headers) }))
        .body;
    },
  };
}
