/**
 * The only reader of `process.env`. Configuration is parsed once into `AppConfig`: each variable
 * by the zod schema in env-schema.ts, then the rules that span several variables here; every
 * problem is collected into one readable message. Empty strings count as missing.
 * Variables are documented in .env.example and the configuration table (docs/configuration.md).
 */
import type { DataDirMode } from '../db/data-dir-mode';
import type { KeyObject } from 'node:crypto';
import {
  TOKEN_INFO_BREAKER_SECONDS,
  TOKEN_INFO_TIMEOUT_MS,
  WIX_REQUEST_TIMEOUT_MS,
  type WixTimeouts,
} from '../wix/timeouts';
import { DEV_APP_ID, DEV_APP_SECRET } from './dev-credentials';
import { EnvSchema, blankToUndefined } from './env-schema';

export { CONFIG_VARIABLES } from './env-schema';

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  wixAppId: string;
  wixAppSecret: string;
  /**
   * The app secret before it was regenerated (WIX_APP_SECRET_PREVIOUS): instances signed with it
   * and app tokens sealed with it stay valid until it is removed. Null when unset.
   */
  wixAppSecretPrevious: string | null;
  /** True when running on the public development credentials (never in production). */
  usingDevCredentials: boolean;
  /** Extra exact origins allowed by CORS besides the app's wix.run origin. */
  corsAllowedOrigins: string[];
  corsAllowLocalhost: boolean;
  instanceMaxAgeSeconds: number;
  /**
   * Development-only routes (instance minting) answer 404 when false. Only ever on with the public
   * development credentials: a server holding a real secret must never sign instances on request.
   */
  devToolsEnabled: boolean;
  logLevel: LogLevel;
  /** PostgreSQL connection string; null selects embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  /**
   * PostgreSQL only: name server-side prepared statements (DATABASE_PREPARED_STATEMENTS). Off by
   * default, so a transaction-mode pooler's URL works as it is (decision 028).
   */
  preparedStatements: boolean;
  /**
   * PGlite's folder (default `.data`, `.data-production` in production), or `memory://` for a
   * throwaway in-memory database.
   */
  dataDir: string;
  /** Which kind of server this is, for the PGlite folder's check (src/db/data-dir-mode.ts). */
  dataDirMode: DataDirMode;
  /** Wix REST base URL without a trailing slash (default https://www.wixapis.com). */
  wixApiBaseUrl: string;
  /**
   * How long the app waits on Wix: WIX_TIMEOUT_MS, TOKEN_INFO_TIMEOUT_MS and
   * TOKEN_INFO_BREAKER_SECONDS, each defaulting to src/wix/timeouts.ts.
   */
  wixTimeouts: WixTimeouts;
  /** True when the base URL is the local Wix emulator (`npm run dev` without credentials). */
  usingWixEmulator: boolean;
  /** API-key mode for owner scripts: the key and exactly one of site id / account id. */
  wixApiKey:
    | { key: string; siteId: string; accountId?: never }
    | { key: string; accountId: string; siteId?: never }
    | null;
  /**
   * Verify webhook deliveries (WIX_APP_PUBLIC_KEY); empty when unset. More than one while Wix's
   * key is being changed.
   */
  webhookPublicKeys: KeyObject[];
  /**
   * The header a trusted platform sets to the client's address (CLIENT_IP_HEADER; `x-real-ip` on
   * Vercel); null when none can be trusted — then unknown tokens share one budget.
   */
  clientIpHeader: string | null;
  /**
   * The plans `app.authenticate(request, { plan: true })` accepts (PREMIUM_PLANS); empty: any
   * paid plan.
   */
  premiumPlans: string[];
  /**
   * Signs the demo's sample webhook deliveries (WIX_DEV_WEBHOOK_SIGNING_KEY, set by `npm run dev`);
   * null in production whatever is set.
   */
  devWebhookSigningKey: KeyObject | null;
  /** True on Vercel (VERCEL=1): no process outlives its requests there. */
  onVercel: boolean;
  /** Days a removed instance's data is kept before `db:purge` deletes it. */
  dataRetentionDays: number;
  /** Protects the purge cron route (Vercel Cron sends it as a Bearer token). */
  cronSecret: string | null;
  /**
   * The header whose value is taken as the request id (TRUSTED_REQUEST_ID_HEADER; `x-vercel-id`
   * on Vercel); null when none can be trusted — then every request gets a fresh id.
   */
  requestIdHeader: string | null;
  /**
   * Trace export, on when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_*, or Vercel's collector:
   * VERCEL_OTEL_ENDPOINTS); null otherwise.
   */
  tracing: { serviceName: string } | null;
}

export const DEFAULT_WIX_API_BASE_URL = 'https://www.wixapis.com';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type ConfigResult = { ok: true; value: AppConfig } | { ok: false; problems: string[] };

/** Parses configuration from an environment-like record. Pure: tests pass their own record. */
export function parseConfig(source: Record<string, string | undefined>): ConfigResult {
  const parsed = EnvSchema.safeParse(source);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

  // Presence rules are checked on the raw values too, so a malformed variable never hides a
  // missing one: the message lists every problem at once.
  const present = (name: string) => blankToUndefined(source[name]) !== undefined;
  const production = blankToUndefined(source.NODE_ENV) === 'production';
  const hasId = present('WIX_APP_ID');
  const hasSecret = present('WIX_APP_SECRET');

  if (production) {
    if (!hasId) problems.push('WIX_APP_ID: missing (required in production)');
    if (!hasSecret) problems.push('WIX_APP_SECRET: missing (required in production)');
  } else if (hasId !== hasSecret) {
    // Half a configuration is a mistake, not a request for the development credentials.
    problems.push(
      `${hasId ? 'WIX_APP_SECRET' : 'WIX_APP_ID'}: missing (set both WIX_APP_ID and WIX_APP_SECRET, or neither to use the development credentials)`,
    );
  }
  if (present('WIX_APP_SECRET_PREVIOUS') && !hasSecret) {
    problems.push('WIX_APP_SECRET_PREVIOUS: only used with WIX_APP_SECRET, which is missing');
  }
  if (source.VERCEL === '1' && !present('DATABASE_URL') && production) {
    // Serverless instances are separate processes on a read-only disk: PGlite cannot work there.
    problems.push('DATABASE_URL: missing (required on Vercel: set it to a hosted PostgreSQL)');
  }
  const hasSiteId = present('WIX_SITE_ID');
  const hasAccountId = present('WIX_ACCOUNT_ID');
  if (present('WIX_API_KEY') && hasSiteId === hasAccountId) {
    // Wix takes exactly one of the two headers with an API key (docs/wix-protocol.md, "API keys").
    problems.push(
      'WIX_API_KEY: set exactly one of WIX_SITE_ID (site-level calls) or WIX_ACCOUNT_ID (account-level calls)',
    );
  } else if (!present('WIX_API_KEY') && (hasSiteId || hasAccountId)) {
    problems.push(
      `${hasSiteId ? 'WIX_SITE_ID' : 'WIX_ACCOUNT_ID'}: only used with WIX_API_KEY, which is missing`,
    );
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const env = parsed.data;
  const nodeEnv = env.NODE_ENV ?? 'development';
  const usingDevCredentials = !hasId;
  return {
    ok: true,
    value: {
      nodeEnv,
      wixAppId: (env.WIX_APP_ID ?? DEV_APP_ID).toLowerCase(),
      wixAppSecret: env.WIX_APP_SECRET ?? DEV_APP_SECRET,
      wixAppSecretPrevious:
        env.WIX_APP_SECRET_PREVIOUS && env.WIX_APP_SECRET_PREVIOUS !== env.WIX_APP_SECRET
          ? env.WIX_APP_SECRET_PREVIOUS
          : null,
      usingDevCredentials,
      corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS ?? [],
      corsAllowLocalhost: env.CORS_ALLOW_LOCALHOST ?? nodeEnv !== 'production',
      instanceMaxAgeSeconds: env.INSTANCE_MAX_AGE_SECONDS ?? 86_400,
      devToolsEnabled: nodeEnv !== 'production' && usingDevCredentials,
      logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'error' : 'info'),
      databaseUrl: env.DATABASE_URL ?? null,
      preparedStatements: env.DATABASE_PREPARED_STATEMENTS ?? false,
      // Development and production never share an embedded database (src/db/data-dir-mode.ts).
      dataDir: env.DATA_DIR ?? (nodeEnv === 'production' ? '.data-production' : '.data'),
      dataDirMode: nodeEnv === 'production' ? 'production' : 'development',
      wixApiBaseUrl: env.WIX_API_BASE_URL ?? DEFAULT_WIX_API_BASE_URL,
      wixTimeouts: {
        requestMs: env.WIX_TIMEOUT_MS ?? WIX_REQUEST_TIMEOUT_MS,
        tokenInfoMs: env.TOKEN_INFO_TIMEOUT_MS ?? TOKEN_INFO_TIMEOUT_MS,
        tokenInfoBreakerSeconds: env.TOKEN_INFO_BREAKER_SECONDS ?? TOKEN_INFO_BREAKER_SECONDS,
      },
      usingWixEmulator: env.WIX_EMULATOR === '1' && env.WIX_API_BASE_URL !== undefined,
      webhookPublicKeys: env.WIX_APP_PUBLIC_KEY ?? [],
      dataRetentionDays: env.DATA_RETENTION_DAYS ?? 30,
      premiumPlans: env.PREMIUM_PLANS ?? [],
      onVercel: source.VERCEL === '1',
      devWebhookSigningKey:
        nodeEnv === 'production' ? null : (env.WIX_DEV_WEBHOOK_SIGNING_KEY ?? null),
      clientIpHeader: env.CLIENT_IP_HEADER ?? (source.VERCEL === '1' ? 'x-real-ip' : null),
      cronSecret: env.CRON_SECRET ?? null,
      requestIdHeader:
        env.TRUSTED_REQUEST_ID_HEADER ?? (source.VERCEL === '1' ? 'x-vercel-id' : null),
      tracing:
        env.OTEL_EXPORTER_OTLP_ENDPOINT ||
        env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
        env.VERCEL_OTEL_ENDPOINTS
          ? { serviceName: env.OTEL_SERVICE_NAME ?? 'wix-app-backend' }
          : null,
      wixApiKey: env.WIX_API_KEY
        ? env.WIX_SITE_ID
          ? { key: env.WIX_API_KEY, siteId: env.WIX_SITE_ID }
          : { key: env.WIX_API_KEY, accountId: env.WIX_ACCOUNT_ID! }
        : null,
    },
  };
}

/** The readable, single message printed when configuration is invalid. */
export function formatConfigProblems(problems: string[]): string {
  return [
    'Invalid configuration — the server cannot start:',
    ...problems.map((p) => `  - ${p}`),
    'Set these in the environment or in .env.local (see .env.example).',
  ].join('\n');
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(formatConfigProblems(problems));
    this.name = 'ConfigError';
  }
}

let cached: AppConfig | null = null;

/** The process configuration, parsed on first use. Throws `ConfigError` listing every problem. */
export function getConfig(): AppConfig {
  if (cached) return cached;
  const result = parseConfig(process.env);
  if (!result.ok) throw new ConfigError(result.problems);
  cached = result.value;
  return cached;
}

/** True while `next build` runs: configuration is not required to build. */
export function isBuildPhase(): boolean {
  return process.env.NEXT_PHASE === 'phase-production-build';
}

/** Printed at startup when the development credentials are in use. */
export const DEV_CREDENTIALS_BANNER_LINES = [
  '⚠ Running on the public DEVELOPMENT credentials (WIX_APP_ID and WIX_APP_SECRET are not set).',
  `  App id ${DEV_APP_ID}. Anyone can sign instances for it: never expose this server.`,
  '  Set WIX_APP_ID and WIX_APP_SECRET (see .env.example) to use your Wix app.',
];
