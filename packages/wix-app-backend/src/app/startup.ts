/**
 * The startup checks `WixApp.register()` runs (the app's instrumentation.ts): configuration, then the database (lock,
 * connect, migrate). Problems that a restart cannot fix — invalid configuration, a PGlite data
 * directory held by another process, a failing migration — stop the process with one message.
 * An unreachable PostgreSQL does not: requests answer 503 until it is back.
 */
import { ConfigError, DEV_CREDENTIALS_BANNER_LINES, getConfig, isBuildPhase } from '../config/env';
import { DataDirLockedError } from '../db/data-dir-lock';
import { DataDirModeError } from '../db/data-dir-mode';
import { isDatabaseUnavailable } from '../db/errors';
import { EVENT_RETRY_INTERVAL_MS } from '../events/processor';
import { isAppError } from '../errors/app-error';
import { errorFields } from '../log';
import type { AppContext } from './context';

type Exit = (code: number) => never;
const defaultExit: Exit = (code) => process.exit(code);

export function checkConfigAtStartup(exit: Exit = defaultExit): void {
  // `next build` loads server code too; it must build without secrets.
  if (isBuildPhase()) return;
  try {
    const config = getConfig();
    if (config.usingDevCredentials) console.warn(DEV_CREDENTIALS_BANNER_LINES.join('\n'));
    if (config.nodeEnv === 'production' && config.webhookPublicKeys.length === 0) {
      // Not fatal: an app may not use webhooks. But Wix would retry every delivery for days.
      console.warn(
        '⚠ WIX_APP_PUBLIC_KEY is not set: POST /api/webhooks/wix answers 503 webhooks_not_configured.',
      );
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    exit(1);
  }
}

/**
 * On a server that keeps running (next start, a container), retries queued events on a timer:
 * a handler that failed is tried again when its backoff is over, not only when the next webhook
 * arrives. On Vercel nothing outlives a request: there the process context drains after
 * requests and deliveries (`afterRequest`), and the cron route (/api/cron/events) is the floor.
 */
export function startEventRetries(getAppContext: () => AppContext): void {
  if (isBuildPhase()) return;
  let app;
  try {
    app = getAppContext();
  } catch {
    return; // invalid configuration: reported by checkConfigAtStartup
  }
  if (app.config.onVercel) return;
  const timer = setInterval(() => {
    app.drainEvents().catch((error: unknown) => {
      app.log.warn('event_retry_failed', errorFields(error));
    });
  }, EVENT_RETRY_INTERVAL_MS);
  timer.unref();
}

export async function openDatabaseAtStartup(
  getAppContext: () => AppContext,
  exit: Exit = defaultExit,
): Promise<void> {
  if (isBuildPhase()) return;
  try {
    const { handle, migrationsApplied } = await getAppContext().database();
    const applied = migrationsApplied.length > 0 ? `, applied ${migrationsApplied.join(', ')}` : '';
    console.log(`Database: ${handle.description}${applied}`);
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof DataDirModeError) {
      console.error(error.message);
      exit(1);
      return;
    }
    if (
      (isAppError(error) && error.code === 'database_unavailable') ||
      isDatabaseUnavailable(error)
    ) {
      console.warn('Database unreachable at startup; requests will answer 503 until it is back.');
      return;
    }
    console.error(
      `Database failed to open: ${error instanceof Error ? error.message : String(error)}`,
    );
    exit(1);
  }
}
