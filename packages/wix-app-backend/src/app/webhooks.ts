/**
 * What a Wix webhook delivery does: verified (RS256, the raw body, src/webhooks), recorded once
 * — by its signed content, and by Wix's own event id when it has one — and, in the same
 * transaction, its app-instance event applied if newer than what we know (decision 012) and the
 * event queued for your handler when one is registered (decision 020). The handler runs later,
 * after Wix has had its 200.
 */
import { sha256Hex } from '../crypto/hmac';
import { AppError } from '../errors/app-error';
import { toWixEvent } from '../events/wix-event';
import { toLifecycleEvent, type LifecycleEnvelope } from '../instances/lifecycle-event';
import type { LifecycleOutcome } from '../instances/lifecycle-store';
import type { AppContext } from './context';

/**
 * What a delivery did, as the webhook route answers it: its app-instance effect (`applied`,
 * `stale`), `duplicate` (recorded before: nothing happens again), `queued` (no app-instance
 * effect, but queued for your handler, which runs after the answer) or `ignored` (neither: a
 * type nothing handles, recorded all the same).
 */
export type DeliveryOutcome = LifecycleOutcome | 'queued';

export interface HandledDelivery {
  outcome: DeliveryOutcome;
  envelope: LifecycleEnvelope;
  /** True when the event was queued for a handler (a first delivery of a handled type). */
  queued: boolean;
  /** The delivery's id, which is also its id in the event queue when `queued`. */
  deliveryId: string;
}

/** Verifies and records one delivery; throws `AppError` (4xx: a bad delivery; 503: no key). */
export async function handleWixWebhook(app: AppContext, body: string): Promise<HandledDelivery> {
  const result = await app.verifyWebhook(body);
  if (!result.ok) throw new AppError(result.reason);
  const receivedAt = new Date(app.now());
  const envelope = toLifecycleEvent(result.value, receivedAt);
  const event = toWixEvent(result.value);
  const database = await app.database();
  const id = await deliveryId(body);
  let queued = false;
  const lifecycle = await database.applyLifecycleEvent(
    envelope,
    {
      id,
      receivedAt,
      expiresAt: result.value.expiresAt,
      // Wix's id for the event: a redelivery may be signed afresh, never with another id.
      eventKey: event.id,
    },
    app.handlesEvent(event.eventType)
      ? async (tx) => {
          await database.eventQueue.enqueue(tx, {
            id,
            instanceId: event.instanceId,
            event,
            at: receivedAt,
          });
          queued = true;
        }
      : undefined,
  );
  // The lifecycle store knows app-instance events only: to it, an order event is `ignored`.
  const outcome = lifecycle === 'ignored' && queued ? 'queued' : lifecycle;
  return { outcome, envelope, queued, deliveryId: id };
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
