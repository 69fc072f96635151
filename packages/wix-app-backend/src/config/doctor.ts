/**
 * The pre-flight check behind `npm run doctor`: what a configuration lacks for production, before
 * a deploy finds out request by request. Pure — it reads the environment record it is given —
 * so every rule is tested without a process.
 *
 * Errors stop a production start or break a feature outright; warnings are choices an operator
 * should make on purpose. Each names the variable first, in the words the startup check uses.
 */
import { DEFAULT_WIX_API_BASE_URL, parseConfig } from './env';

export interface Diagnosis {
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

export interface Finding {
  /** The variable the finding is about (for the docs' description), or null. */
  readonly variable: string | null;
  readonly message: string;
}

export interface DiagnoseOptions {
  /** Check for a Vercel deployment (serverless, crons): default when `VERCEL=1` is set. */
  readonly vercel?: boolean;
}

const finding = (message: string): Finding => {
  const variable = /^([A-Z][A-Z0-9_]+):/.exec(message)?.[1] ?? null;
  return { variable, message };
};

/** What `env` lacks to run in production (NODE_ENV=production is assumed). */
export function diagnose(
  env: Record<string, string | undefined>,
  options: DiagnoseOptions = {},
): Diagnosis {
  const vercel = options.vercel ?? env.VERCEL === '1';
  const parsed = parseConfig({
    ...env,
    NODE_ENV: 'production',
    ...(vercel ? { VERCEL: '1' } : {}),
  });
  if (!parsed.ok) return { errors: parsed.problems.map(finding), warnings: [] };

  const config = parsed.value;
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  if (config.webhookPublicKeys.length === 0) {
    warnings.push(
      finding(
        'WIX_APP_PUBLIC_KEY: missing — POST /api/webhooks/wix answers 503 webhooks_not_configured, and Wix retries every delivery for days (app dashboard → Webhooks → Get Public Key)',
      ),
    );
  }
  if (config.cronSecret === null) {
    warnings.push(
      finding(
        vercel
          ? 'CRON_SECRET: missing — Vercel Cron calls /api/cron/purge and /api/cron/events with it; without it they answer 503: removed sites are never purged, and failed events are retried only after requests and deliveries'
          : 'CRON_SECRET: missing — /api/cron/purge and /api/cron/events answer 503 (set it if a scheduler calls them)',
      ),
    );
  }
  if (config.databaseUrl === null) {
    warnings.push(
      finding(
        `DATABASE_URL: unset — embedded PGlite in ${config.dataDir}: one process, one disk; use PostgreSQL to run more than one`,
      ),
    );
  }
  if (config.wixApiBaseUrl !== DEFAULT_WIX_API_BASE_URL) {
    warnings.push(
      finding(`WIX_API_BASE_URL: ${config.wixApiBaseUrl} — Wix calls do not go to Wix`),
    );
  }
  if (config.corsAllowLocalhost) {
    warnings.push(
      finding(
        'CORS_ALLOW_LOCALHOST: true — any page on localhost may call this backend from a browser',
      ),
    );
  }
  return { errors, warnings };
}
