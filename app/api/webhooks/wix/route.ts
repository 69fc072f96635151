import { handleWixWebhook } from '@/lib/app/webhooks';
import { json, serverRoute } from '@/lib/http/route';
import { AppError } from 'wix-app-backend/errors/app-error';
import { readBodyText } from '@/lib/http/read-body';

/** Wix deliveries are small JWTs; anything far larger is not one. */
const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
/**
 * Anyone can post here, and the signature is in the body, so nothing is known of the sender
 * before it has arrived: a delivery (a few KiB, sent at once) must arrive within this.
 */
const WEBHOOK_BODY_DEADLINE_MS = 2_000;

/**
 * Wix webhooks: the raw body is a JWT, verified before anything parses it. No CORS and no
 * instance auth here (lib/http/api-access.ts): the signature is the credential.
 */
export const POST = serverRoute(async (request, app) => {
  app.requireWebhooks(); // before reading: an unconfigured app owes nobody a wait
  const body = await readBodyText(request, MAX_WEBHOOK_BODY_BYTES, {
    deadlineMs: WEBHOOK_BODY_DEADLINE_MS,
  });
  if (body === null) throw new AppError('malformed_webhook', 'The body is not UTF-8 text.');
  const { outcome, envelope, queued } = await handleWixWebhook(app, body);
  // Wix wants its 200 within 1250 ms: handlers run after it has it (packages/wix-app-backend/src/events/processor.ts).
  // Every delivery drains, queued or not: it also runs earlier events whose retry is due, which
  // on a deployment with no long-running process (Vercel) is what retries them on time.
  app.afterResponse(() => app.drainEvents());
  return json({ status: 'ok', outcome, eventType: envelope.eventType, queued });
});
