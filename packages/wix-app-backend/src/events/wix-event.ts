/**
 * A verified Wix webhook delivery as event handlers see it. Most Wix events besides the app
 * lifecycle share one shape (docs/wix-protocol.md, "Business events"): the inner `data` carries
 * Wix's own event `id` — its key for recognising a redelivery — a `slug`, the entity's type and
 * id, the time, and one of `createdEvent.entity`, `updatedEvent.currentEntity`, `deletedEvent`
 * or `actionEvent.body`. Older events do not follow it, so every field is optional.
 */
import { z } from 'zod';
import type { WixWebhookEvent } from '../webhooks/verify-webhook';

export interface WixEvent<Entity = Record<string, unknown>> {
  /** `AppInstalled`, `wix.ecom.v1.order_created`, … */
  eventType: string;
  /** The installation it concerns: the tenant key. */
  instanceId: string;
  /** The inner `data`, parsed. */
  data: Record<string, unknown>;
  /** Who caused it (the inner `identity`, parsed), when Wix says. */
  identity: Record<string, unknown> | null;
  accountInfo: Record<string, unknown> | null;
  /** When it happened: `eventTime`, `operationTimeStamp` or the JWT's `iat`. */
  occurredAt: string | null;
  /** Standardized events: Wix's unique id of the event (not of the entity). */
  id: string | null;
  /** `created`, `updated`, `deleted`, or an action's name. */
  slug: string | null;
  /** The entity's type, e.g. `wix.ecom.v1.order`. */
  entityFqdn: string | null;
  entityId: string | null;
  /** The new entity (`createdEvent.entity`). */
  created: Entity | null;
  /** The entity after the change (`updatedEvent.currentEntity`). */
  updated: Entity | null;
  /** `deletedEvent`, as Wix sent it. */
  deleted: Record<string, unknown> | null;
  /** `actionEvent.body`, as Wix sent it. */
  action: Record<string, unknown> | null;
  /** True when a privacy (GDPR) request caused it. */
  triggeredByAnonymizeRequest: boolean;
}

const text = z.string().min(1).max(256).nullish().catch(null);
const object = z.record(z.string(), z.unknown()).nullish().catch(null);
const Standardized = z.looseObject({
  id: text,
  slug: text,
  entityFqdn: text,
  entityId: text,
  eventTime: text,
  triggeredByAnonymizeRequest: z.boolean().nullish().catch(null),
  createdEvent: z.looseObject({ entity: object }).nullish().catch(null),
  updatedEvent: z.looseObject({ currentEntity: object }).nullish().catch(null),
  deletedEvent: object,
  actionEvent: z.looseObject({ body: object }).nullish().catch(null),
});

/** Reads a verified delivery into the event handlers receive. Never throws. */
export function toWixEvent(webhook: WixWebhookEvent): WixEvent {
  const standard = Standardized.parse(webhook.data);
  const eventTime = standard.eventTime ? Date.parse(standard.eventTime) : NaN;
  return {
    eventType: webhook.eventType,
    instanceId: webhook.instanceId,
    data: webhook.data,
    identity: webhook.identity,
    accountInfo: webhook.accountInfo,
    occurredAt: Number.isFinite(eventTime)
      ? new Date(eventTime).toISOString()
      : (webhook.occurredAt?.toISOString() ?? null),
    id: standard.id ?? null,
    slug: standard.slug ?? null,
    entityFqdn: standard.entityFqdn ?? null,
    entityId: standard.entityId ?? null,
    created: standard.createdEvent?.entity ?? null,
    updated: standard.updatedEvent?.currentEntity ?? null,
    deleted: standard.deletedEvent ?? null,
    action: standard.actionEvent?.body ?? null,
    triggeredByAnonymizeRequest: standard.triggeredByAnonymizeRequest === true,
  };
}
