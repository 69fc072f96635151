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
/**
 * A delivery dated further ahead than this is refused: its `iat` would date the event (install
 * and removal carry no time of their own) and make every real event after it look stale.
 */
export const WEBHOOK_MAX_FUTURE_IAT_SECONDS = 300;

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

  const verifyWith = (token: string, key: KeyObject) =>
    jwtVerify(token, key, {
      algorithms: ['RS256'],
      clockTolerance: WEBHOOK_CLOCK_LEEWAY_SECONDS,
      currentDate: new Date(now()),
      // A delivery without `exp` would never expire: every copy could be replayed forever.
      requiredClaims: ['exp'],
    });

  return async function verifyWebhook(body) {
    const token = body.trim();
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token))
      return fail('malformed_webhook', 'body is not a compact JWT');
    let claims: Record<string, unknown>;
    try {
      claims = await verifyWithAny(token, keys, verifyWith);
    } catch (error) {
      if (error instanceof errors.JWTExpired) return fail('expired_webhook', 'exp has passed');
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp')
        return fail('malformed_webhook', 'the delivery has no exp claim');
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

    if (
      typeof claims.iat === 'number' &&
      claims.iat > now() / 1000 + WEBHOOK_MAX_FUTURE_IAT_SECONDS
    )
      return fail('malformed_webhook', 'iat is too far in the future');

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
        expiresAt: new Date((claims.exp as number) * 1000),
      },
    };
  };
}

/** The claims of `token` verified with the first key whose signature matches. */
async function verifyWithAny(
  token: string,
  keys: readonly KeyObject[],
  verifyWith: (token: string, key: KeyObject) => Promise<{ payload: Record<string, unknown> }>,
): Promise<Record<string, unknown>> {
  for (let i = 0; ; i++) {
    try {
      return (await verifyWith(token, keys[i]!)).payload;
    } catch (error) {
      const wrongKey = error instanceof errors.JWSSignatureVerificationFailed;
      if (!wrongKey || i === keys.length - 1) throw error;
    }
  }
}

function occurredAt(operationTimeStamp: unknown, iat: unknown): Date | null {
  if (typeof operationTimeStamp === 'string' || typeof operationTimeStamp === 'number') {
    const ms =
      typeof operationTimeStamp === 'number' ? operationTimeStamp : Date.parse(operationTimeStamp);
    if (Number.isFinite(ms) && ms > 0) return new Date(ms);
  }
  return typeof iat === 'number' && Number.isFinite(iat) ? new Date(iat * 1000) : null;
}
