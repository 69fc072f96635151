/**
 * Verifies a Wix signed app instance: `<signature>.<data>`, where `data` is the instance JSON in
 * unpadded base64url and `signature` is HMAC-SHA256(app secret, data-as-received), also unpadded
 * base64url. See docs/wix-protocol.md ("Signed instance") and
 * docs/decisions/003-signed-instance-rules.md.
 *
 * Never throws on bad input: every refusal is a typed reason that maps to a problem code.
 */
import { decodeBase64url, decodeBase64urlLenient } from '../crypto/base64url';
import { createHmacKey, type HmacKey } from '../crypto/hmac';
import { isStorableText } from '../validation/storable-text';

/** How far in the future a `signDate` may be before we call it forged or a broken clock. */
export const INSTANCE_FUTURE_SKEW_SECONDS = 60;
/** A Wix instance is a few hundred characters; anything far larger is not one (cheap DoS guard). */
export const MAX_INSTANCE_LENGTH = 8192;
const SIGNATURE_LENGTH = 43; // 32 bytes as unpadded base64url

export type InstanceFailureReason =
  | 'malformed_credentials'
  | 'invalid_signature'
  | 'expired_instance'
  | 'instance_not_yet_valid'
  | 'wrong_app';

/** The verified facts from an instance, reshaped into our own names. */
export interface VerifiedInstance {
  instanceId: string;
  appDefId: string | null;
  uid: string | null;
  permissions: string | null;
  /** `permissions === "OWNER"`: Wix's rule for settings and dashboard actions. */
  isOwner: boolean;
  signedAt: Date;
  vendorProductId: string | null;
  originInstanceId: string | null;
  siteOwnerId: string | null;
  aid: string | null;
}

export type VerifyInstanceResult =
  | { ok: true; value: VerifiedInstance }
  | { ok: false; reason: InstanceFailureReason; detail: string };

export interface InstanceVerifierOptions {
  /** The app secret from the app dashboard's OAuth page. */
  secret: string;
  /**
   * Secrets also accepted while the app's secret is being changed (WIX_APP_SECRET_PREVIOUS): an
   * instance signed before the change verifies until its page is reloaded.
   */
  previousSecrets?: readonly string[];
  /** When set, an instance whose `appDefId` differs is refused (`wrong_app`). */
  appId: string;
  /** Instances signed longer ago than this are refused (`expired_instance`). */
  maxAgeSeconds: number;
  /** Milliseconds since the epoch; injectable so tests can freeze the clock. */
  now?: () => number;
  /** Force a crypto backend (benchmarks and tests); defaults to node:crypto when present. */
  backend?: 'node:crypto' | 'web-crypto';
}

/** Unpadded base64url (or with the 1–2 `=` some encoders add), never of length 4n + 1. */
const BASE64URL_TEXT = /^[A-Za-z0-9_-]+={0,2}$/;

type Payload = Record<string, unknown> & { instanceId: string; signDate: string | number };

/**
 * Checks the two fields every instance has. Wix publishes no complete schema: the others are
 * read where they are used, and one of an unexpected type counts as absent rather than failing
 * the whole instance. Hand-written rather than zod, and without building an intermediate
 * object: this runs on every request, after the MAC has proven the JSON is Wix's
 * (docs/benchmarks.md).
 */
function asPayload(json: unknown): Payload | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const { instanceId, signDate } = json as Record<string, unknown>;
  // The tenant key is stored and compared in the database: text PostgreSQL cannot store (a NUL,
  // a lone surrogate) would fail every query as a 500, so such an instance is malformed.
  if (
    typeof instanceId !== 'string' ||
    instanceId.length === 0 ||
    instanceId.length > 256 ||
    !isStorableText(instanceId)
  )
    return null;
  const dateOk =
    typeof signDate === 'number' ||
    (typeof signDate === 'string' && signDate.length > 0 && signDate.length <= 64);
  return dateOk ? (json as Payload) : null;
}

/** An optional string field; one of another type, or that could not be stored, counts as absent. */
const text = (value: unknown) =>
  typeof value === 'string' && isStorableText(value) ? value : null;

/** `text` without the one or two `=` of padding some encoders add. */
function withoutPadding(text: string): string {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  return end === text.length ? text : text.slice(0, end);
}

const fail = (reason: InstanceFailureReason, detail: string): VerifyInstanceResult => ({
  ok: false,
  reason,
  detail,
});

/** Builds a verifier with the key imported once; the returned function is the hot path. */
export function createInstanceVerifier(
  options: InstanceVerifierOptions,
): (instance: string) => Promise<VerifyInstanceResult> {
  const key: HmacKey = createHmacKey(options.secret, { backend: options.backend });
  const previousKeys = (options.previousSecrets ?? []).map((secret) =>
    createHmacKey(secret, { backend: options.backend }),
  );
  const macMatches = async (k: HmacKey, data: string, signature: Uint8Array) =>
    k.verifySync ? k.verifySync(data, signature) : k.verify(data, signature);
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeSeconds * 1000;
  const skewMs = INSTANCE_FUTURE_SKEW_SECONDS * 1000;
  const decoder = new TextDecoder('utf-8', { fatal: true });

  return async function verify(instance) {
    if (instance.length > MAX_INSTANCE_LENGTH) return fail('malformed_credentials', 'too long');
    const dot = instance.indexOf('.');
    if (dot < 0 || dot !== instance.lastIndexOf('.')) {
      return fail('malformed_credentials', 'expected <signature>.<data>');
    }
    let signatureText = instance.slice(0, dot);
    const data = instance.slice(dot + 1);
    // Some libraries pad base64url; the one '=' a 32-byte value gets carries no information.
    if (signatureText.length === SIGNATURE_LENGTH + 1 && signatureText.endsWith('=')) {
      signatureText = signatureText.slice(0, -1);
    }
    const signature =
      signatureText.length === SIGNATURE_LENGTH ? decodeBase64url(signatureText) : null;
    if (!signature) return fail('malformed_credentials', 'signature is not 32 bytes of base64url');
    const unpadded = withoutPadding(data);
    if (unpadded.length % 4 === 1 || !BASE64URL_TEXT.test(data)) {
      return fail('malformed_credentials', 'data is not base64url');
    }

    // The MAC covers the data text exactly as received, not the decoded JSON (pitfall §8.1).
    // Only text the app secret vouches for is decoded and parsed past this line.
    let valid = key.verifySync
      ? key.verifySync(data, signature)
      : await key.verify(data, signature);
    // Only on a mismatch, so the usual path pays nothing for a rotation in progress.
    for (let i = 0; !valid && i < previousKeys.length; i++) {
      valid = await macMatches(previousKeys[i]!, data, signature);
    }
    if (!valid) return fail('invalid_signature', 'HMAC mismatch');

    const dataBytes = decodeBase64urlLenient(unpadded); // the MAC has vouched for it
    let json: unknown;
    try {
      json = dataBytes ? JSON.parse(decoder.decode(dataBytes)) : null;
    } catch {
      return fail('malformed_credentials', 'data is not UTF-8 JSON');
    }
    const payload = asPayload(json);
    if (!payload) return fail('malformed_credentials', 'payload lacks instanceId or signDate');

    // Absent is tolerated (no schema is published); present, it must be this app's id exactly —
    // a number or null signed with our secret is not a reason to let it through.
    const appDefId = payload.appDefId;
    if (appDefId !== undefined && appDefId !== options.appId) {
      return fail('wrong_app', 'appDefId is not this app');
    }
    const signedAtMs = parseSignDate(payload.signDate);
    if (signedAtMs === null) return fail('malformed_credentials', 'signDate is not a date');
    const current = now();
    if (signedAtMs > current + skewMs)
      return fail('instance_not_yet_valid', 'signDate is in the future');
    if (current - signedAtMs > maxAgeMs) return fail('expired_instance', 'signDate is too old');

    const permissions = text(payload.permissions);
    return {
      ok: true,
      value: {
        instanceId: payload.instanceId,
        appDefId: appDefId ?? null,
        uid: text(payload.uid),
        permissions,
        isOwner: permissions === 'OWNER',
        signedAt: new Date(signedAtMs),
        vendorProductId: text(payload.vendorProductId),
        originInstanceId: text(payload.originInstanceId),
        siteOwnerId: text(payload.siteOwnerId),
        aid: text(payload.aid),
      },
    };
  };
}

/** One-off verification; prefer `createInstanceVerifier` where it runs per request. */
export function verifyInstance(
  instance: string,
  options: InstanceVerifierOptions,
): Promise<VerifyInstanceResult> {
  return createInstanceVerifier(options)(instance);
}

/**
 * `signDate` is an ISO-8601 string today; older instances carry epoch milliseconds. A date-time
 * without a zone is read as UTC: `Date.parse` would use the server's local zone.
 */
function parseSignDate(value: string | number): number | null {
  const ms =
    typeof value === 'number'
      ? value
      : /^\d+$/.test(value)
        ? Number(value)
        : Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}
