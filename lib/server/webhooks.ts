/**
 * The webhook side of the server: which key verifies deliveries, and what a delivery does.
 * Production uses WIX_APP_PUBLIC_KEY or answers 503 `webhooks_not_configured`; development
 * without it uses the local key pair that `npm run webhook` signs with.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AppConfig } from '../config/env';
import { getConfig } from '../config/env';
import type { LifecycleOutcome } from '../db/lifecycle-store';
import { loadOrCreateDevWebhookKeys } from '../dev/dev-webhook-keys';
import { HttpError, type ProblemCode } from '../http/problem';
import { toLifecycleEvent, type LifecycleEnvelope } from '../webhooks/lifecycle-event';
import { createWebhookVerifier } from '../webhooks/verify-webhook';
import { sha256Hex } from '../auth/hmac';
import { getStore } from './database';
import { forgetSeen } from './require-instance';

/** The key that verifies deliveries, or null in production without WIX_APP_PUBLIC_KEY. */
export function webhookKey(
  config: AppConfig,
): { key: KeyObject; source: 'configured' | 'development' } | null {
  if (config.webhookPublicKey) return { key: config.webhookPublicKey, source: 'configured' };
  if (config.nodeEnv === 'production') return null;
  return { key: createPublicKey(loadOrCreateDevWebhookKeys().publicKeyPem), source: 'development' };
}

let verifier: ReturnType<typeof createWebhookVerifier> | null = null;

export interface HandledDelivery {
  outcome: LifecycleOutcome;
  envelope: LifecycleEnvelope;
}

/** Verifies and applies one delivery; throws `HttpError` (4xx for bad deliveries, 503 when unset). */
export async function handleWixWebhook(
  body: string,
  now: Date = new Date(),
): Promise<HandledDelivery> {
  if (!verifier) {
    // Resolved once per process: the key does not change while the server runs.
    const key = webhookKey(getConfig());
    if (!key) {
      throw new HttpError(
        'webhooks_not_configured',
        'Set WIX_APP_PUBLIC_KEY (app dashboard → Webhooks).',
      );
    }
    verifier = createWebhookVerifier(key.key);
  }
  const result = await verifier(body);
  if (!result.ok) throw new HttpError(result.reason satisfies ProblemCode, undefined);
  const envelope = toLifecycleEvent(result.value, now);
  const store = await getStore();
  const outcome = await store.applyLifecycleEvent(envelope, {
    id: await deliveryId(body),
    receivedAt: now,
  });
  // This process's memo must not serve the old status; other processes refresh within a minute.
  if (outcome === 'applied') forgetSeen(envelope.instanceId);
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
