/**
 * The per-process objects built from configuration: the CORS policy, the authenticator and the
 * identity forwarder. Built once, on first use, so `next build` never needs secrets.
 */
import { createAuthenticator, type Authenticate } from '../auth/authenticate';
import { createIdentityForwarder, type IdentityForwarder } from '../auth/forwarded-identity';
import { createInstanceVerifier } from '../auth/verify-instance';
import { getConfig, type AppConfig } from '../config/env';
import { createCors, type Cors } from '../cors/create-cors';
import { createLogger, type Logger } from '../log';
import { createAccessTokenVerifier } from '../wix/verify-access-token';
import { createWixFetch } from '../wix/wix-fetch';

/**
 * Token Info sits on the authentication path of every access-token request: it gets a shorter
 * timeout and fewer tries than other Wix calls, so an outage answers 503 quickly.
 */
export const TOKEN_INFO_TIMEOUT_MS = 3_000;
export const TOKEN_INFO_MAX_ATTEMPTS = 2;
export const TOKEN_INFO_RETRY_WINDOW_MS = 4_000;

/** Methods the API serves to browsers; preflights advertise exactly these. */
export const API_METHODS = ['GET', 'PUT'] as const;

export interface AppContext {
  config: AppConfig;
  cors: Cors;
  authenticate: Authenticate;
  forwarder: IdentityForwarder;
  log: Logger;
}

export function createAppContext(
  config: AppConfig,
  options: { now?: () => number; fetch?: typeof fetch } = {},
): AppContext {
  return {
    config,
    cors: createCors({
      appId: config.wixAppId,
      allowedOrigins: config.corsAllowedOrigins,
      allowLocalhost: config.corsAllowLocalhost,
      allowedMethods: API_METHODS,
    }),
    authenticate: createAuthenticator({
      verifyInstance: createInstanceVerifier({
        secret: config.wixAppSecret,
        appId: config.wixAppId,
        maxAgeSeconds: config.instanceMaxAgeSeconds,
        now: options.now,
      }),
      verifyAccessToken: createAccessTokenVerifier({
        appId: config.wixAppId,
        now: options.now,
        wixFetch: createWixFetch({
          baseUrl: config.wixApiBaseUrl,
          timeoutMs: TOKEN_INFO_TIMEOUT_MS,
          maxAttempts: TOKEN_INFO_MAX_ATTEMPTS,
          retryWindowMs: TOKEN_INFO_RETRY_WINDOW_MS,
          fetch: options.fetch,
        }),
      }),
    }),
    forwarder: createIdentityForwarder(config.wixAppSecret, options.now),
    log: createLogger(config.logLevel),
  };
}

let cached: AppContext | null = null;

/** The process-wide context. Throws `ConfigError` when configuration is invalid. */
export function getAppContext(): AppContext {
  cached ??= createAppContext(getConfig());
  return cached;
}
