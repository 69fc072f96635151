/**
 * Verifies a Wix webhook delivery (docs/wix-protocol.md, "Webhooks"): the whole body is a JWT signed RS256
 * with Wix's key. The algorithm is pinned — `alg: none` and an HS256 token "signed" with the
 * public key as an HMAC secret are refused before any claim is read — and `exp` is checked with
 * a small leeway. The envelope is then parsed twice, as Wix nests JSON strings:
 * claims.data → { eventType, instanceId, data: "<json>", identity: "<json>", accountInfo }.
 * Never throws on bad input.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { isStorableText } from '../validation/storable-text';
import {
  createWixJwtVerifier,
  WIX_JWT_CLOCK_LEEWAY_SECONDS,
  WIX_JWT_LATEST_CLAIM_SECONDS,
  WIX_JWT_MAX_FUTURE_IAT_SECONDS,
  type WixJwtFailure,
} from './verify-wix-jwt';

/** Clock difference tolerated on `exp`/`iat`/`nbf` (the same for everything Wix signs). */
export const WEBHOOK_CLOCK_LEEWAY_SECONDS = WIX_JWT_CLOCK_LEEWAY_SECONDS;
/**
 * A delivery dated further ahead than this is refused: its `iat` would date the event (install
 * and removal carry no time of their own) and make every real event after it look stale.
 */
export const WEBHOOK_MAX_FUTURE_IAT_SECONDS = WIX_JWT_MAX_FUTURE_IAT_SECONDS;
/** The latest time a delivery's claims may name (verify-wix-jwt.ts). */
export const WEBHOOK_LATEST_CLAIM_SECONDS = WIX_JWT_LATEST_CLAIM_SECONDS;

export interface WixWebhookEvent {
  eventType: string;
  instanceId: string;
  /** The inner `data`, parsed; `{}` when absent. */
  data: Record<string, unknown>;
  /** The inner `identity`, parsed; null when absent. */
  identity: Record<string, unknown> | null;
  accountInfo: Record<string, unknown> | null;
  /**
   * When the event happened: the payload's `operationTimeStamp`, else the JWT's `iat` — never
   * later than the delivery was signed (its `iat`, else now) plus WEBHOOK_CLOCK_LEEWAY_SECONDS.
   */
  occurredAt: Date | null;
  /** The JWT's `exp`: a replay is refused after it, so a record of the delivery need not outlive it. */
  expiresAt: Date;
}

export type WebhookFailureReason =
  'invalid_webhook_signature' | 'expired_webhook' | 'malformed_webhook';
export type VerifyWebhookResult =
  | { ok: true; value: WixWebhookEvent }
  | { ok: false; reason: WebhookFailureReason; detail: string };

const jsonText = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not JSON' });
    return z.NEVER;
  }
});
const objectOrNull = z.record(z.string(), z.unknown()).nullish().catch(null);
// The event type and the instance id key what we record: text PostgreSQL cannot store (a NUL,
// a lone surrogate) makes the envelope malformed rather than the insert fail.
const Envelope = z.looseObject({
  eventType: z.string().min(1).max(200).refine(isStorableText),
  instanceId: z.string().min(1).max(256).refine(isStorableText),
  data: z
    .union([jsonText.pipe(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
    .nullish(),
  identity: z
    .union([jsonText.pipe(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
    .nullish()
    .catch(null),
  accountInfo: objectOrNull,
});

const REASONS: Record<WixJwtFailure, WebhookFailureReason> = {
  signature: 'invalid_webhook_signature',
  expired: 'expired_webhook',
  malformed: 'malformed_webhook',
};

const fail = (reason: WebhookFailureReason, detail: string): VerifyWebhookResult => ({
  ok: false,
  reason,
  detail,
});

/**
 * Builds the verifier for one public key, or several while Wix's key is being changed (the
 * first that verifies the signature wins).
 */
export function createWebhookVerifier(
  publicKeys: KeyObject | readonly KeyObject[],
  options: { now?: () => number } = {},
): (body: string) => Promise<VerifyWebhookResult> {
  const keys = Array.isArray(publicKeys) ? publicKeys : [publicKeys as KeyObject];
  if (keys.length === 0) throw new Error('createWebhookVerifier needs at least one public key');
  const now = options.now ?? Date.now;
  // A delivery without `exp` would never expire: every copy could be replayed forever.
  const verifyJwt = createWixJwtVerifier(keys, { requiredClaims: ['exp'], now });

  return async function verifyWebhook(body) {
    const verified = await verifyJwt(body);
    if (!verified.ok) return fail(REASONS[verified.failure], verified.detail);
    const { claims } = verified;

    const outer =
      typeof claims.data === 'string'
        ? jsonText.safeParse(claims.data)
        : { success: true as const, data: claims.data };
    const envelope = outer.success ? Envelope.safeParse(outer.data) : null;
    if (!envelope?.success)
      return fail('malformed_webhook', 'the data claim is not a Wix event envelope');
    const event = envelope.data;
    const data = event.data ?? {};
    return {
      ok: true,
      value: {
        eventType: event.eventType,
        instanceId: event.instanceId,
        data,
        identity: event.identity ?? null,
        accountInfo: event.accountInfo ?? null,
        occurredAt: occurredAt(
          data.operationTimeStamp,
          typeof claims.iat === 'number' ? claims.iat : now() / 1000,
        ),
        expiresAt: new Date((claims.exp as number) * 1000),
      },
    };
  };
}

/**
 * When the event happened. The operation's own time is preferred — it orders events signed out
 * of order — but it is bounded by when the delivery was signed (`signedAt`, seconds): an event
 * cannot happen after its notice was written, and a time far ahead would outrank every real
 * event after it (a removal dated 2099 would make every later install stale). Beyond that bound
 * the bound itself is the time.
 */
function occurredAt(operationTimeStamp: unknown, signedAt: number): Date {
  const latest = (signedAt + WEBHOOK_CLOCK_LEEWAY_SECONDS) * 1000;
  if (typeof operationTimeStamp === 'string' || typeof operationTimeStamp === 'number') {
    const ms =
      typeof operationTimeStamp === 'number' ? operationTimeStamp : Date.parse(operationTimeStamp);
    if (Number.isFinite(ms) && ms > 0) return new Date(Math.min(ms, latest));
  }
  return new Date(signedAt * 1000);
}
