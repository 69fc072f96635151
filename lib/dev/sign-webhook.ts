/**
 * Builds and signs a webhook delivery exactly as Wix does (docs/wix-protocol.md, "Webhooks"): an
 * RS256 JWT
 * whose `data` claim is a JSON string of the envelope, whose own `data` and `identity` are JSON
 * strings again. For `npm run webhook` and tests; never needed in production.
 */
import type { KeyObject } from 'node:crypto';
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
