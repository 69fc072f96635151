/**
 * Builds and signs a webhook delivery exactly as Wix does (docs/wix-protocol.md, "Webhooks"): an
 * RS256 JWT
 * whose `data` claim is a JSON string of the envelope, whose own `data` and `identity` are JSON
 * strings again. For `npm run webhook` and tests; never needed in production.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

export interface WebhookInput {
  eventType: string;
  instanceId: string;
  data?: Record<string, unknown>;
  identity?: Record<string, unknown>;
  accountInfo?: Record<string, unknown>;
}

export async function signWixWebhook(
  input: WebhookInput,
  privateKey: KeyObject,
  options: { issuedAt?: Date; expiresInSeconds?: number; keyId?: string } = {},
): Promise<string> {
  const envelope = {
    eventType: input.eventType,
    instanceId: input.instanceId,
    data: JSON.stringify(input.data ?? {}),
    identity: JSON.stringify(input.identity ?? { identityType: 'APP' }),
    accountInfo: input.accountInfo ?? {},
  };
  const iat = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  return new SignJWT({ data: JSON.stringify(envelope) })
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      ...(options.keyId ? { kid: options.keyId } : {}),
    })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.expiresInSeconds ?? 3600))
    .sign(privateKey);
}

/** The inner `data` Wix sends for each lifecycle event, filled with plausible values. */
export function lifecycleData(
  eventType: string,
  options: { appId: string; plan?: string; cycle?: string; originInstanceId?: string; at?: Date },
): Record<string, unknown> {
  const at = (options.at ?? new Date()).toISOString();
  const plan = options.plan ?? 'premium';
  const cycle = options.cycle ?? 'MONTHLY';
  const expiresOn = new Date(Date.parse(at) + 30 * 24 * 3600 * 1000).toISOString();
  switch (eventType) {
    case 'AppInstalled':
      return {
        appId: options.appId,
        ...(options.originInstanceId ? { originInstanceId: options.originInstanceId } : {}),
      };
    case 'AppRemoved':
      return { appId: options.appId };
    case 'PaidPlanPurchased':
      return { operationTimeStamp: at, vendorProductId: plan, cycle, expiresOn };
    case 'PaidPlanChanged':
      return {
        operationTimeStamp: at,
        vendorProductId: plan,
        cycle,
        expiresOn,
        previousVendorProductId: null,
        previousCycle: null,
      };
    case 'PlanConvertedToPaid':
      return { operationTimeStamp: at, vendorProductId: plan, cycle, expiresOn };
    case 'PlanReactivated':
      return {
        operationTimeStamp: at,
        vendorProductId: plan,
        cycle,
        expiresOn,
        invoiceId: 'invoice-dev-1',
        reason: 'USER_ACTION',
      };
    case 'PlanTransferred':
      return { operationTimeStamp: at, vendorProductId: plan, cycle, invoiceId: 'invoice-dev-1' };
    case 'PaidPlanAutoRenewalCancelled':
      return {
        operationTimeStamp: at,
        vendorProductId: plan,
        cycle,
        cancelReason: 'USER_ACTION',
        userReason: '',
        subscriptionCancellationType: 'AT_END_OF_PERIOD',
      };
    default:
      return {};
  }
}

/** The app-instance events `npm run webhook` knows how to fill in. */
export const LIFECYCLE_EVENT_TYPES = [
  'AppInstalled',
  'AppRemoved',
  'PaidPlanPurchased',
  'PaidPlanChanged',
  'PaidPlanAutoRenewalCancelled',
  'PlanConvertedToPaid',
  'PlanReactivated',
  'PlanTransferred',
] as const;

/**
 * The inner `data` of a standardized business event (docs/wix-protocol.md, "Business events"),
 * e.g. `wix.ecom.v1.order_created`: Wix's event `id` (the same id on every redelivery), the
 * slug and entity from the type's name, and a small sample entity.
 */
export function businessEventData(
  eventType: string,
  options: { eventId?: string; entityId?: string; at?: Date } = {},
): Record<string, unknown> {
  // wix.<domain>.<version>.<entity>_<slug>, e.g. wix.ecom.v1.order_created
  const match = /^(wix\.[a-z_]+\.v\d+\.[a-z_]+?)_([a-z_]+)$/.exec(eventType);
  const entityFqdn = match?.[1] ?? eventType;
  const slug = match?.[2] ?? 'created';
  const entityId = options.entityId ?? randomUUID();
  const entity = { id: entityId, number: String(10000 + Math.floor(Math.random() * 90000)) };
  const body =
    slug === 'created'
      ? { createdEvent: { entity } }
      : slug === 'updated'
        ? { updatedEvent: { currentEntity: entity } }
        : slug === 'deleted'
          ? { deletedEvent: { movedToTrash: true } }
          : { actionEvent: { body: entity } };
  return {
    id: options.eventId ?? randomUUID(),
    entityFqdn,
    slug,
    entityId,
    eventTime: (options.at ?? new Date()).toISOString(),
    triggeredByAnonymizeRequest: false,
    ...body,
  };
}

/**
 * Plausible inner `data` for any event type: an app-instance event's fields, a standardized
 * business event's envelope for a `wix.…` name, nothing for anything else.
 */
export function sampleEventData(
  eventType: string,
  options: {
    appId: string;
    plan?: string;
    cycle?: string;
    originInstanceId?: string;
    eventId?: string;
    at?: Date;
  },
): Record<string, unknown> {
  if ((LIFECYCLE_EVENT_TYPES as readonly string[]).includes(eventType)) {
    return lifecycleData(eventType, options);
  }
  return eventType.startsWith('wix.') ? businessEventData(eventType, options) : {};
}
