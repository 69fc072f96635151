/**
 * What a Wix webhook delivery does: verified (RS256, the raw body, lib/webhooks), reshaped into
 * a lifecycle event, recorded once and applied if newer than what we know (decision 012).
 */
import { sha256Hex } from '../crypto/hmac';
import { AppError } from '../errors/app-error';
import { toLifecycleEvent, type LifecycleEnvelope } from '../instances/lifecycle-event';
import type { LifecycleOutcome } from '../instances/lifecycle-store';
import type { AppContext } from './context';

export interface HandledDelivery {
  outcome: LifecycleOutcome;
  envelope: LifecycleEnvelope;
}

/** Verifies and applies one delivery; throws `AppError` (4xx: a bad delivery; 503: no key). */
export async function handleWixWebhook(app: AppContext, body: string): Promise<HandledDelivery> {
  const result = await app.verifyWebhook(body);
  if (!result.ok) throw new AppError(result.reason);
  const receivedAt = new Date(app.now());
  const envelope = toLifecycleEvent(result.value, receivedAt);
  const database = await app.database();
  const outcome = await database.applyLifecycleEvent(envelope, {
    id: await deliveryId(body),
    receivedAt,
    expiresAt: result.value.expiresAt,
  });
  return { outcome, envelope };
}

/**
 * A delivery's id: the SHA-256 of what its signature covers (`header.payload`). Not of the raw
 * body: base64url leaves spare bits in the signature's last character, so one delivery has
 * several valid spellings, and hashing the body would let each count as new.
 */
function deliveryId(body: string): Promise<string> {
  const [header, payload] = body.trim().split('.');
  return sha256Hex(`${header}.${payload}`);
}
