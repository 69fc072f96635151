/**
 * What a Wix webhook delivery does: verified (RS256, the raw body, src/webhooks), recorded once
 * — by its signed content, and by Wix's own event id when it has one — and, in the same
 * transaction, its app-instance event applied if newer than what we know (decision 012) and the
 * event queued for your handler when one is registered (decision 020). The handler runs later,
 * after Wix has had its 200.
 *
 * A signed delivery whose event holds what the database cannot keep (a NUL, a lone surrogate,
 * nesting past MAX_EVENT_DEPTH — order fields and names come from shoppers and site owners) is
 * recorded and ignored: a redelivery carries the same content, so refusing it would only have Wix
 * retry it for two days (docs/decisions/033-odd-webhook-deliveries.md).
 */
import { sha256Hex } from '../crypto/hmac';
import { AppError } from '../errors/app-error';
import { toWixEvent } from '../events/wix-event';
import { toLifecycleEvent, type LifecycleEnvelope } from '../instances/lifecycle-event';
import { verifyStorableJson } from '../validation/storable-json';
import type { LifecycleOutcome } from '../instances/lifecycle-store';
import type { AppContext } from './context';

/**
 * What a delivery did, as the webhook route answers it: its app-instance effect (`applied`,
 * `stale`), `duplicate` (recorded before: nothing happens again), `queued` (no app-instance
 * effect, but queued for your handler, which runs after the answer) or `ignored` (neither: a
 * type nothing handles, or an event the database cannot keep — recorded all the same).
 */
export type DeliveryOutcome = LifecycleOutcome | 'queued';

/**
 * How deep an event's JSON may nest: Wix's entities nest a handful of levels; far past this,
 * PostgreSQL's parser (and a handler walking it) would run out of stack.
 */
export const MAX_EVENT_DEPTH = 64;

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
  const { data, identity, accountInfo } = result.value;
  const storable = verifyStorableJson({ data, identity, accountInfo }, MAX_EVENT_DEPTH);
  const envelope = toLifecycleEvent(result.value, receivedAt);
  if (!storable.ok) {
    // Recorded (a copy is a duplicate) with no effect: nothing of the event is read.
    envelope.event = { kind: 'unknown' };
    app.log.warn('webhook_unreadable', {
      eventType: envelope.eventType,
      instanceId: envelope.instanceId,
      reason: storable.reason,
    });
  }
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
      eventKey: storable.ok ? event.id : null,
    },
    storable.ok && app.handlesEvent(event.eventType)
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
