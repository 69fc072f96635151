/**
 * The process's Wix clients, built once from configuration: the app client (OAuth client
 * credentials per instance, tokens shared through the database) and, when configured, the
 * API-key client for owner scripts.
 */
import { getConfig } from '../config/env';
import { HttpError } from '../http/problem';
import { createWixApiKeyClient, type WixApiKeyClient } from '../wix/api-key-client';
import { createWixAppClient, type WixAppClient } from '../wix/app-client';
import { createAppTokenProvider, type AppTokenProvider } from '../wix/app-token-provider';
import { createInstanceBudget } from '../wix/instance-budget';
import { createTokenSealer } from '../wix/seal-token';
import { isWixApiError, wixErrorToHttp } from '../wix/wix-api-error';
import { createWixFetch } from '../wix/wix-fetch';
import { getStore } from './database';

export interface WixClients {
  app: WixAppClient;
  tokens: AppTokenProvider;
}

const holder = globalThis as { __wixAppClients?: Promise<WixClients> | null };

export function getWixClients(): Promise<WixClients> {
  holder.__wixAppClients ??= build().catch((error: unknown) => {
    holder.__wixAppClients = null;
    throw error;
  });
  return holder.__wixAppClients;
}

async function build(): Promise<WixClients> {
  const config = getConfig();
  const wixFetch = createWixFetch({ baseUrl: config.wixApiBaseUrl });
  const tokens = createAppTokenProvider({
    appId: config.wixAppId,
    appSecret: config.wixAppSecret,
    wixFetch,
    store: await getStore(),
    sealer: createTokenSealer(config.wixAppSecret),
  });
  return { tokens, app: createWixAppClient({ tokens, wixFetch, budget: createInstanceBudget() }) };
}

/** The API-key client, or a 503 problem when WIX_API_KEY is not configured. */
export function requireWixApiKeyClient(): WixApiKeyClient {
  const config = getConfig();
  if (!config.wixApiKey)
    throw new HttpError(
      'wix_api_key_not_configured',
      'Set WIX_API_KEY and WIX_SITE_ID or WIX_ACCOUNT_ID.',
    );
  return createWixApiKeyClient(config.wixApiKey, createWixFetch({ baseUrl: config.wixApiBaseUrl }));
}

/** Runs a Wix call, turning a `WixApiError` into the problem our client should see. */
export async function callWix<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw isWixApiError(error) ? wixErrorToHttp(error) : error;
  }
}
