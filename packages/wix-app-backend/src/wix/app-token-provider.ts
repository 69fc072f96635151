/**
 * App access tokens per instance (OAuth client credentials, docs/wix-protocol.md, "Calling Wix as the app"), minted as
 * rarely as possible: a memory cache, then the database shared by every process, then — under
 * a per-instance lock across processes — one mint. Concurrent callers in a process share one
 * in-flight lookup, so 200 simultaneous first calls cause exactly one mint. Tokens are replaced
 * TOKEN_REFRESH_MARGIN_MS before they expire.
 */
import { z } from 'zod';
import { createTtlCache } from '../cache/ttl-cache';
import type { AppTokenStore, StoredAppToken } from './app-token-store';
import type { TokenSealer } from './seal-token';
import { WixApiError } from './wix-api-error';
import type { WixFetch } from './wix-fetch';

/** Wix tokens live 4 hours; replace them 5 minutes early so none expires mid-request. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
const MAX_CACHED_TOKENS = 10_000;

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});

export interface AppTokenProvider {
  /** A valid app token for the instance (from cache, the database, or one new mint). */
  getToken(instanceId: string): Promise<string>;
  /** Forgets `token` after Wix refused it with 401; the next getToken mints a new one. */
  invalidate(instanceId: string, token: string): Promise<void>;
}

export interface AppTokenProviderOptions {
  appId: string;
  appSecret: string;
  wixFetch: WixFetch;
  store: AppTokenStore;
  sealer: TokenSealer;
  now?: () => number;
  refreshMarginMs?: number;
}

interface Token {
  value: string;
  expiresAt: number;
  sealed: string;
}

export function createAppTokenProvider(options: AppTokenProviderOptions): AppTokenProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? TOKEN_REFRESH_MARGIN_MS;
  const memory = createTtlCache<Token>({ maxEntries: MAX_CACHED_TOKENS, now });
  const inFlight = new Map<string, Promise<Token>>();
  const fresh = (expiresAt: number) => expiresAt - now() > margin;

  const fromStored = (stored: StoredAppToken | null): Token | null => {
    if (!stored || !fresh(stored.expiresAt.getTime())) return null;
    const value = options.sealer.open(stored.sealedToken);
    return value
      ? { value, expiresAt: stored.expiresAt.getTime(), sealed: stored.sealedToken }
      : null;
  };

  const mint = async (instanceId: string): Promise<StoredAppToken> => {
    const response = await options.wixFetch({
      method: 'POST',
      path: '/oauth2/token',
      body: {
        grant_type: 'client_credentials',
        client_id: options.appId,
        client_secret: options.appSecret,
        instance_id: instanceId,
      },
    });
    const parsed = TokenResponse.safeParse(response.body);
    if (!parsed.success) {
      throw new WixApiError(
        'http',
        { status: 502, requestId: response.requestId, path: '/oauth2/token' },
        'Wix token response is malformed',
      );
    }
    return {
      sealedToken: options.sealer.seal(parsed.data.access_token),
      expiresAt: new Date(now() + parsed.data.expires_in * 1000),
    };
  };

  const lookUp = async (instanceId: string): Promise<Token> => {
    const stored = fromStored(await options.store.readAppToken(instanceId));
    const token =
      stored ??
      fromStored(
        await options.store.withAppTokenLock(instanceId, async (current) =>
          // Another process may have minted while we waited for the lock.
          fromStored(current) ? current! : mint(instanceId),
        ),
      );
    if (!token)
      throw new WixApiError(
        'http',
        { path: '/oauth2/token' },
        'a freshly minted token could not be read back',
      );
    memory.set(instanceId, token, token.expiresAt - margin - now());
    return token;
  };

  return {
    async getToken(instanceId) {
      const cached = memory.get(instanceId);
      if (cached && fresh(cached.expiresAt)) return cached.value;
      let pending = inFlight.get(instanceId);
      if (!pending) {
        pending = lookUp(instanceId).finally(() => inFlight.delete(instanceId));
        inFlight.set(instanceId, pending);
      }
      return (await pending).value;
    },
    async invalidate(instanceId, token) {
      const cached = memory.get(instanceId);
      if (cached?.value === token) memory.delete(instanceId);
      const stored = await options.store.readAppToken(instanceId);
      if (stored && options.sealer.open(stored.sealedToken) === token) {
        await options.store.deleteAppToken(instanceId, stored.sealedToken);
      }
    },
  };
}
