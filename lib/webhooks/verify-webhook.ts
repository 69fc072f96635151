/**
 * Verifies a Wix webhook delivery (docs/wix-protocol.md, "Webhooks"): the whole body is a JWT signed RS256
 * with Wix's key. The algorithm is pinned — `alg: none` and an HS256 token "signed" with the
 * public key as an HMAC secret are refused before any claim is read — and `exp` is checked with
 * a small leeway. The envelope is then parsed twice, as Wix nests JSON strings:
 * claims.data → { eventType, instanceId, data: "<json>", identity: "<json>", accountInfo }.
 * Never throws on bad input.
 */
import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';

/** Clock difference tolerated on `exp`/`iat`/`nbf`. */
export const WEBHOOK_CLOCK_LEEWAY_SECONDS = 60;

export interface WixWebhookEvent {
  eventType: string;
  instanceId: string;
  /** The inner `data`, parsed; `{}` when absent. */
  data: Record<string, unknown>;
  /** The inner `identity`, parsed; null when absent. */
  identity: Record<string, unknown> | null;
  accountInfo: Record<string, unknown> | null;
  /** When the event happened: the payload's `operationTimeStamp`, else the JWT's `iat`. */
  occurredAt: Date | null;
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
const Envelope = z.looseObject({
  eventType: z.string().min(1).max(200),
  instanceId: z.string().min(1).max(256),
  data: z
    .union([jsonText.pipe(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
    .nullish(),
  identity: z
    .union([jsonText.pipe(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
    .nullish()
    .catch(null),
  accountInfo: objectOrNull,
});

const fail = (reason: WebhookFailureReason, detail: string): VerifyWebhookResult => ({
  ok: false,
  reason,
  detail,
});

export function createWebhookVerifier(
  publicKey: KeyObject,
  options: { now?: () => number } = {},
): (body: string) => Promise<VerifyWebhookResult> {
  return async function verifyWebhook(body) {
    const token = body.trim();
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token))
      return fail('malformed_webhook', 'body is not a compact JWT');
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, publicKey, {
        algorithms: ['RS256'],
        clockTolerance: WEBHOOK_CLOCK_LEEWAY_SECONDS,
        currentDate: options.now ? new Date(options.now()) : undefined,
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) return fail('expired_webhook', 'exp has passed');
      if (error instanceof errors.JWTClaimValidationFailed)
        return fail('malformed_webhook', error.message);
      if (
        error instanceof errors.JWSSignatureVerificationFailed ||
        error instanceof errors.JOSEAlgNotAllowed
      ) {
        return fail('invalid_webhook_signature', error.code);
      }
      return fail(
        error instanceof errors.JOSEError ? 'invalid_webhook_signature' : 'malformed_webhook',
        'not a verifiable JWS',
      );
    }

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
        occurredAt: occurredAt(data.operationTimeStamp, claims.iat),
      },
    };
  };
}

function occurredAt(operationTimeStamp: unknown, iat: unknown): Date | null {
  if (typeof operationTimeStamp === 'string' || typeof operationTimeStamp === 'number') {
    const ms =
      typeof operationTimeStamp === 'number' ? operationTimeStamp : Date.parse(operationTimeStamp);
    if (Number.isFinite(ms) && ms > 0) return new Date(ms);
  }
  return typeof iat === 'number' && Number.isFinite(iat) ? new Date(iat * 1000) : null;
}
