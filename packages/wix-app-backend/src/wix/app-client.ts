/**
 * Calls Wix REST APIs as the app on behalf of one instance: budget first, then the app token,
 * and on a 401 — Wix no longer accepts our token — drop it, mint once, retry once. Identical
 * GETs for one instance that overlap share one Wix call, so a burst of page loads spends one
 * unit of the instance's budget instead of one each.
 */
import type { AppTokenProvider } from './app-token-provider';
import type { InstanceBudget } from './instance-budget';
import { isWixApiError } from './wix-api-error';
import { mergeHeaders, type WixFetch, type WixRequest } from './wix-fetch';

export interface WixAppClient {
  request<T = unknown>(instanceId: string, request: WixRequest): Promise<T>;
}

/**
 * Wix REST calls as the app for one instance: what a handler gets as `wix` from
 * `app.authenticate(request)`. A failure throws `WixApiError`, which the problem mapper answers
 * with the right 502/503/504 — no wrapper needed.
 */
export interface InstanceWixClient {
  readonly instanceId: string;
  request<T = unknown>(request: WixRequest): Promise<T>;
}

/** Binds `client` to one instance. */
export function forInstance(
  client: WixAppClient | (() => Promise<WixAppClient>),
  instanceId: string,
): InstanceWixClient {
  return {
    instanceId,
    request: async (request) =>
      (typeof client === 'function' ? await client() : client).request(instanceId, request),
  };
}

export function createWixAppClient(options: {
  tokens: AppTokenProvider;
  wixFetch: WixFetch;
  budget: InstanceBudget;
}): WixAppClient {
  const { tokens, wixFetch, budget } = options;
  const send = async <T>(instanceId: string, request: WixRequest, token: string) => {
    await budget.acquire(instanceId);
    return (
      await wixFetch<T>({
        ...request,
        headers: mergeHeaders(request.headers, { authorization: token }),
      })
    ).body;
  };
  const attempt = async <T>(instanceId: string, request: WixRequest): Promise<T> => {
    const token = await tokens.getToken(instanceId);
    try {
      return await send<T>(instanceId, request, token);
    } catch (error) {
      if (!isWixApiError(error) || error.status !== 401) throw error;
      await tokens.invalidate(instanceId, token);
      return send<T>(instanceId, request, await tokens.getToken(instanceId));
    }
  };
  const inFlight = new Map<string, Promise<unknown>>();
  return {
    request<T>(instanceId: string, request: WixRequest) {
      if ((request.method ?? 'GET') !== 'GET' || request.body !== undefined)
        return attempt<T>(instanceId, request);
      // Only requests that are the same in every respect may share an answer.
      const key = JSON.stringify([
        instanceId,
        request.path,
        Object.entries(mergeHeaders(request.headers)).sort(),
      ]);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = attempt<T>(instanceId, request).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending as Promise<T>;
    },
  };
}
