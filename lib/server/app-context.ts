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
  options: { now?: () => number } = {},
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
