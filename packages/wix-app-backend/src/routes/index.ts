/**
 * The handlers of the machinery's own routes. The app's route files wrap them, so a route's
 * access stays declared next to its path (`serverRoute(wixWebhook)` in
 * app/api/webhooks/wix/route.ts) while what it does — and every later fix to it — comes with the
 * package:
 *
 *   wixWebhook      POST  Wix webhook deliveries (serverRoute: the signature is the credential)
 *   servicePluginCall POST  Wix calling a service plugin (serverRoute, a catch-all: every
 *                           extension's deploymentUri; docs/service-plugins.md)
 *   drainEvents     GET   cron: runs queued events whose retry is due (serverRoute + CRON_SECRET)
 *   purgeInstances  GET   cron: purges instances removed longer than DATA_RETENTION_DAYS ago
 *   health          GET   which database serves the app; 503 when unreachable (publicRoute)
 *   unknownApiPath  any   a problem for an /api path with no route, after the credential check
 */
import { handleWixWebhook } from '../app/webhooks';
import { purgeExpiredInstances } from '../app/purge';
import { requireCronSecret } from '../auth/require-cron-secret';
import { AppError } from '../errors/app-error';
import { readBodyText } from '../http/read-body';
import { json, type RouteHandler } from '../http/route';
import { handleServicePluginCall } from '../service-plugins/handle-call';

/** Wix deliveries are small JWTs; anything far larger is not one. */
const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
/**
 * Anyone can post here, and the signature is in the body, so nothing is known of the sender
 * before it has arrived: a delivery (a few KiB, sent at once) must arrive within this.
 */
export const WEBHOOK_BODY_DEADLINE_MS = 2_000;

/** Wix webhooks: the raw body is a JWT, verified before anything parses it. */
export const wixWebhook: RouteHandler = async (request, app) => {
  app.requireWebhooks(); // before reading: an unconfigured app owes nobody a wait
  const body = await readBodyText(request, MAX_WEBHOOK_BODY_BYTES, {
    deadlineMs: WEBHOOK_BODY_DEADLINE_MS,
  });
  if (body === null) throw new AppError('malformed_webhook', 'The body is not UTF-8 text.');
  const { outcome, envelope, queued } = await handleWixWebhook(app, body);
  // Wix wants its 200 within 1250 ms: handlers run after it has it (src/events/processor.ts).
  // Every delivery drains, queued or not: it also runs earlier events whose retry is due, which
  // on a deployment with no long-running process (Vercel) is what retries them on time.
  app.afterResponse(() => app.drainEvents());
  return json({ status: 'ok', outcome, eventType: envelope.eventType, queued });
};

/**
 * A checkout's cart, signed: a large cart is tens of KiB; four times the webhook cap leaves room
 * for hundreds of line items, and nothing larger is Wix's.
 */
export const MAX_SERVICE_PLUGIN_BODY_BYTES = 256 * 1024;
/** Wix sends the call at once; a body still trickling in after this is not Wix's. */
export const SERVICE_PLUGIN_BODY_DEADLINE_MS = 1_000;

/**
 * Wix calling a service plugin, at any path under the app's catch-all route: the body is a JWT,
 * read with a cap and verified before anything parses it; the plugin and method come from the
 * verified claims and the path's end (src/service-plugins/handle-call.ts).
 */
export const servicePluginCall: RouteHandler = async (request, app) => {
  const startedAt = app.now(); // the method's deadline counts from here, reading included
  app.requireWebhooks(); // the same public key signs these: without it nothing can be verified
  const body = await readBodyText(request, MAX_SERVICE_PLUGIN_BODY_BYTES, {
    deadlineMs: SERVICE_PLUGIN_BODY_DEADLINE_MS,
  });
  if (body === null)
    throw new AppError('malformed_service_plugin_call', 'The body is not UTF-8 text.');
  return handleServicePluginCall(app, body, new URL(request.url).pathname, { startedAt });
};

/**
 * Cron entry: runs queued events whose handler failed before and is due again. Events are
 * normally handled right after their delivery; this catches up on retries.
 */
export const drainEvents: RouteHandler = async (request, app) => {
  requireCronSecret(request, app.config.cronSecret);
  return json(await app.drainEvents());
};

/** Cron entry: purges removed instances past their retention period. */
export const purgeInstances: RouteHandler = async (request, app) => {
  requireCronSecret(request, app.config.cronSecret);
  return json(await purgeExpiredInstances(app));
};

/** Which database engine serves the app; a 503 problem when it cannot be reached. */
export const health: RouteHandler = async (_request, app) => {
  const database = await app.database();
  await database.ping();
  return json({ status: 'ok', database: { engine: database.engine } });
};

/**
 * Unknown /api paths answer a problem, not Next's HTML 404 page. Like every route that is not
 * public they check the credential first, so a caller without a valid one learns nothing about
 * which paths exist (no database needed: there is no data here).
 */
export const unknownApiPath: RouteHandler = async (request, app) => {
  const result = await app.verifyCredential(request);
  if (!result.ok) {
    throw new AppError(result.reason, undefined, { retryAfterSeconds: result.retryAfterSeconds });
  }
  throw new AppError('not_found', 'No API route at this path.');
};
