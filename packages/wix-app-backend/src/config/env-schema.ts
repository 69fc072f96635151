/**
 * The schema of every environment variable the app reads: each one's type and range, with the
 * messages a person setting it will see. Cross-variable rules (production needs real
 * credentials, an API key needs exactly one of site and account id) live in env.ts.
 */
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { parseOrigin } from '../cors/parse-origin';
import { parsePublicKeys } from '../webhooks/parse-public-key';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_INSTANCE_AGE_SECONDS = 7 * 24 * 3600;

export const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(blankToUndefined, schema.optional());

const booleanText = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const originList = z.string().transform((text, ctx) => {
  const origins: string[] = [];
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const origin = parseOrigin(entry);
    if (origin) origins.push(origin);
    else
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not an exact origin like https://example.com (scheme, host, optional port; no path, no wildcard)`,
      });
  }
  return origins;
});

const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), {
    message: 'must be an http(s) URL',
  });

export const EnvSchema = z.object({
  NODE_ENV: optional(z.enum(['development', 'production', 'test'])),
  WIX_APP_ID: optional(
    z.string().trim().regex(GUID, 'must be the app id GUID from the app dashboard'),
  ),
  WIX_APP_SECRET: optional(z.string().trim()),
  /** The secret before the last regeneration, accepted alongside WIX_APP_SECRET while it lasts. */
  WIX_APP_SECRET_PREVIOUS: optional(z.string().trim()),
  CORS_ALLOWED_ORIGINS: optional(originList),
  CORS_ALLOW_LOCALHOST: optional(booleanText),
  INSTANCE_MAX_AGE_SECONDS: optional(
    z.coerce.number().int().min(60).max(MAX_INSTANCE_AGE_SECONDS, 'at most 7 days (604800)'),
  ),
  LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error', 'silent'])),
  DATABASE_URL: optional(
    z
      .string()
      .trim()
      .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
        message: 'must be a postgres:// or postgresql:// connection URL',
      }),
  ),
  /** Named server-side prepared statements: only on a direct connection, never through a pooler. */
  DATABASE_PREPARED_STATEMENTS: optional(booleanText),
  DATA_DIR: optional(z.string().trim()),
  /** Set to "1" by Vercel in its builds and functions. */
  VERCEL: optional(z.string()),
  WIX_API_BASE_URL: optional(
    z
      .string()
      .trim()
      .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), {
        message: 'must be an http(s) URL',
      })
      .transform((v) => v.replace(/\/+$/, '')),
  ),
  /** Set to "1" by `npm run dev` when it started the local Wix emulator. */
  WIX_EMULATOR: optional(z.string()),
  WIX_API_KEY: optional(z.string().trim()),
  WIX_SITE_ID: optional(z.string().trim()),
  WIX_ACCOUNT_ID: optional(z.string().trim()),
  WIX_APP_PUBLIC_KEY: optional(
    z.string().transform((text, ctx) => {
      const parsed = parsePublicKeys(text);
      if (parsed.ok) return parsed.keys;
      ctx.addIssue({
        code: 'custom',
        message: `${parsed.reason} (app dashboard → Webhooks → Get Public Key)`,
      });
      return z.NEVER;
    }),
  ),
  /**
   * The request header a trusted proxy in front of the app sets to the client's address (e.g.
   * `x-real-ip`, `fly-client-ip`); on Vercel `x-real-ip` is used without it.
   */
  CLIENT_IP_HEADER: optional(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9-]{1,64}$/, 'must be a header name such as x-real-ip'),
  ),
  /**
   * The request header the platform in front of the app sets to its own request id (e.g.
   * `x-amzn-trace-id`); its value becomes the request id. On Vercel `x-vercel-id` is used without
   * it. Never name a header clients can set unchecked (src/http/request-id.ts).
   */
  TRUSTED_REQUEST_ID_HEADER: optional(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9-]{1,64}$/, 'must be a header name such as x-request-id'),
  ),
  /**
   * OTLP/HTTP collector (e.g. http://localhost:4318): setting it (or the traces-only variant)
   * exports traces. @vercel/otel reads these too (docs/decisions/024-tracing.md).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(httpUrl),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(httpUrl),
  /** Set by Vercel when an OpenTelemetry integration's collector runs beside the function. */
  VERCEL_OTEL_ENDPOINTS: optional(z.string()),
  /** The service name traces are filed under (default wix-app-backend). */
  OTEL_SERVICE_NAME: optional(z.string().trim().max(100)),
  /**
   * Development only, set by `npm run dev`: the private half of the local webhook key pair, so
   * the demo page can send signed sample deliveries. Ignored in production.
   */
  WIX_DEV_WEBHOOK_SIGNING_KEY: optional(
    z.string().transform((text, ctx) => {
      try {
        return createPrivateKey(text.replace(/\\n/g, '\n'));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not a private key PEM' });
        return z.NEVER;
      }
    }),
  ),
  /** Plan ids (`vendorProductId`s) that count as premium for `{ plan: true }`; comma-separated. */
  PREMIUM_PLANS: optional(
    z.string().transform((text) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ),
  DATA_RETENTION_DAYS: optional(z.coerce.number().int().min(0).max(3650)),
  /** One attempt of a Wix REST call; its retries all start within twice this (src/wix/timeouts.ts). */
  WIX_TIMEOUT_MS: optional(z.coerce.number().int().min(100).max(60_000, 'at most 60000 (60 s)')),
  /** One attempt of a Token Info call, on the authentication path of access-token requests. */
  TOKEN_INFO_TIMEOUT_MS: optional(
    z.coerce.number().int().min(100).max(30_000, 'at most 30000 (30 s)'),
  ),
  /** How long Token Info is left alone after it failed: requests needing it answer 503 meanwhile. */
  TOKEN_INFO_BREAKER_SECONDS: optional(
    z.coerce.number().int().min(1).max(300, 'at most 300 (5 minutes)'),
  ),
  CRON_SECRET: optional(z.string().trim().min(16, 'at least 16 characters')),
});

/**
 * Every variable this module reads except NODE_ENV, derived from the schema so the list cannot
 * drift: test and benchmark servers blank them to stay hermetic.
 */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape).filter(
  (name) => name !== 'NODE_ENV',
);
