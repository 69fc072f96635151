import { HttpError } from '@/lib/http/problem';
import { readBodyText } from '@/lib/http/read-body';
import { json, withProblems } from '@/lib/http/route';
import { handleWixWebhook } from '@/lib/server/webhooks';

/** Wix deliveries are small JWTs; anything far larger is not one. */
const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

/**
 * Wix webhooks: the raw body is a JWT, verified before anything parses it. No CORS and no
 * instance auth here (the middleware lets this path through): the signature is the credential.
 */
export const POST = withProblems(async (request) => {
  const body = await readBodyText(request, MAX_WEBHOOK_BODY_BYTES);
  if (body === null) throw new HttpError('malformed_webhook', 'The body is not UTF-8 text.');
  const { outcome, envelope } = await handleWixWebhook(body);
  return json({ status: 'ok', outcome, eventType: envelope.eventType });
});
