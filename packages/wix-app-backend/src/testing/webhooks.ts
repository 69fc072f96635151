/**
 * Valid webhook deliveries for tests: a real RSA key pair standing in for Wix's, and lifecycle
 * deliveries signed with it exactly as Wix signs them (src/dev/sign-webhook.ts).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { loadOrCreateDevWebhookKeys } from '../dev/dev-webhook-keys';
import { lifecycleData, signWixWebhook } from '../dev/sign-webhook';
import { apiRequest } from './requests';
import { TEST_APP_ID } from './test-credentials';

export interface WebhookKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as the app dashboard hands it out (SPKI PEM). */
  publicKeyPem: string;
}

/** A fresh RSA-2048 pair. Generating one takes a while: make one per test file. */
export function webhookKeyPair(): WebhookKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * The local development pair (.dev/webhook-keys.json), which `npm run dev` hands the app as
 * WIX_APP_PUBLIC_KEY. The app never reads it itself: tests sign with it to show that.
 */
export function devWebhookKeys(): WebhookKeys {
  const { privateKeyPem, publicKeyPem } = loadOrCreateDevWebhookKeys();
  return {
    privateKey: createPrivateKey(privateKeyPem),
    publicKey: createPublicKey(publicKeyPem),
    publicKeyPem,
  };
}

export interface DeliveryOptions {
  /** When the event happened: the JWT's `iat` (whole seconds), and plan events' operationTimeStamp. */
  at?: Date;
  /** Replaces the inner `data` that `lifecycleData` would fill in. */
  data?: Record<string, unknown>;
  originInstanceId?: string;
  plan?: string;
  cycle?: string;
  expiresInSeconds?: number;
}

/** A lifecycle delivery (the whole POST body) signed with `keys`, as Wix would send it. */
export function signDelivery(
  keys: Pick<WebhookKeys, 'privateKey'>,
  eventType: string,
  instanceId: string,
  options: DeliveryOptions = {},
): Promise<string> {
  const at = options.at ?? new Date();
  const data =
    options.data ??
    lifecycleData(eventType, {
      appId: TEST_APP_ID,
      at,
      plan: options.plan,
      cycle: options.cycle,
      originInstanceId: options.originInstanceId,
    });
  return signWixWebhook({ eventType, instanceId, data }, keys.privateKey, {
    issuedAt: at,
    expiresInSeconds: options.expiresInSeconds,
  });
}

/** POST /api/webhooks/wix with `body`; Wix documents no Content-Type, so none is set by default. */
export function webhookRequest(
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Request {
  if (typeof body === 'string') {
    return apiRequest('/api/webhooks/wix', { method: 'POST', headers, body });
  }
  return new Request(apiRequest('/api/webhooks/wix').url, {
    method: 'POST',
    headers,
    body: body as BodyInit,
  });
}

/** `at` rounded down to a whole second, as a JWT `iat` carries it. */
export function wholeSeconds(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}
