/**
 * Wix's app-lifecycle webhooks (docs/wix-protocol.md, "Webhooks") reshaped into our own event type
 * at the
 * boundary. Unknown types are kept as `unknown`: recorded, with no effect.
 */
import { z } from 'zod';
import type { WixWebhookEvent } from '../webhooks/verify-webhook';

export type LifecycleEvent =
  | { kind: 'installed'; originInstanceId: string | null }
  | { kind: 'removed' }
  | {
      kind: 'plan';
      plan: string | null;
      cycle: string | null;
      expiresAt: Date | null;
      /** PlanTransferred carries no expiry: the one we know stays. */
      keepExpiry?: boolean;
    }
  | { kind: 'auto_renew_cancelled' }
  | { kind: 'unknown' };

/** What every lifecycle event carries besides its kind. */
export interface LifecycleEnvelope {
  eventType: string;
  instanceId: string;
  /** When it happened (payload time, else JWT `iat`, else when we received it). */
  occurredAt: Date;
  event: LifecycleEvent;
}

const text = z.string().min(1).max(256).nullish().catch(null);
const Installed = z.looseObject({ originInstanceId: text });
const Plan = z.looseObject({ vendorProductId: text, cycle: text, expiresOn: text });

export function toLifecycleEvent(webhook: WixWebhookEvent, receivedAt: Date): LifecycleEnvelope {
  return {
    eventType: webhook.eventType,
    instanceId: webhook.instanceId,
    occurredAt: webhook.occurredAt ?? receivedAt,
    event: reshape(webhook.eventType, webhook.data),
  };
}

function reshape(eventType: string, data: Record<string, unknown>): LifecycleEvent {
  switch (eventType) {
    case 'AppInstalled':
      return {
        kind: 'installed',
        originInstanceId: Installed.parse(data).originInstanceId ?? null,
      };
    case 'AppRemoved':
      return { kind: 'removed' };
    // Each of these names the plan the site has from then on, and turns auto-renewal on:
    // a purchase or change, a free trial converted to paid, a cancelled renewal reactivated.
    case 'PaidPlanPurchased':
    case 'PaidPlanChanged':
    case 'PlanConvertedToPaid':
    case 'PlanReactivated': {
      const plan = Plan.parse(data);
      const expires = plan.expiresOn ? Date.parse(plan.expiresOn) : NaN;
      return {
        kind: 'plan',
        plan: plan.vendorProductId ?? null,
        cycle: plan.cycle ?? null,
        expiresAt: Number.isFinite(expires) ? new Date(expires) : null,
      };
    }
    // The paid plan moved to another Wix account: same kind of plan, billing unchanged.
    case 'PlanTransferred': {
      const plan = Plan.parse(data);
      return {
        kind: 'plan',
        plan: plan.vendorProductId ?? null,
        cycle: plan.cycle ?? null,
        expiresAt: null,
        keepExpiry: true,
      };
    }
    case 'PaidPlanAutoRenewalCancelled':
      return { kind: 'auto_renew_cancelled' };
    default:
      return { kind: 'unknown' };
  }
}
