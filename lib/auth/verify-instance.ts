/**
 * Verifies a Wix signed app instance: `<signature>.<data>`, where `data` is the instance JSON in
 * unpadded base64url and `signature` is HMAC-SHA256(app secret, data-as-received), also unpadded
 * base64url. See ../shared/WIX-PROTOCOL.md §2 and docs/decisions/003-signed-instance-rules.md.
 *
 * Never throws on bad input: every refusal is a typed reason that maps to a problem code.
 */
import { decodeBase64url } from './base64url';
import { createHmacKey, type HmacKey } from './hmac';

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

interface InstancePayload {
  instanceId: string;
  signDate: string | number;
  appDefId: string | null;
  uid: string | null;
  permissions: string | null;
  vendorProductId: string | null;
  originInstanceId: string | null;
  siteOwnerId: string | null;
  aid: string | null;
}

/**
 * Reads the payload. Wix publishes no complete schema: only instanceId and signDate are
 * required, and a field of an unexpected type is read as absent instead of failing the whole
 * instance. Hand-written rather than zod: this runs on every request, after the MAC has already
 * proven the JSON is Wix's (docs/benchmarks.md).
 */
function readPayload(json: unknown): InstancePayload | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const { instanceId, signDate } = o;
  if (typeof instanceId !== 'string' || instanceId.length === 0 || instanceId.length > 256)
    return null;
  const dateOk =
    typeof signDate === 'number' ||
    (typeof signDate === 'string' && signDate.length > 0 && signDate.length <= 64);
  if (!dateOk) return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    instanceId,
    signDate,
    appDefId: text(o.appDefId),
    uid: text(o.uid),
    permissions: text(o.permissions),
    vendorProductId: text(o.vendorProductId),
    originInstanceId: text(o.originInstanceId),
    siteOwnerId: text(o.siteOwnerId),
    aid: text(o.aid),
  };
}

/** Native base64url decoding where the runtime has Buffer (Node); ours elsewhere. */
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
function decodeData(data: string): Uint8Array | null {
  const unpadded = data.replace(/={1,2}$/, '');
  return NodeBuffer ? NodeBuffer.from(unpadded, 'base64url') : decodeBase64url(unpadded);
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
    if (!BASE64URL_TEXT.test(data) || data.replace(/={1,2}$/, '').length % 4 === 1) {
      return fail('malformed_credentials', 'data is not base64url');
    }

    // The MAC covers the data text exactly as received, not the decoded JSON (pitfall §8.1).
    // Only text the app secret vouches for is decoded and parsed past this line.
    const valid = key.verifySync
      ? key.verifySync(data, signature)
      : await key.verify(data, signature);
    if (!valid) return fail('invalid_signature', 'HMAC mismatch');

    const dataBytes = decodeData(data);
    let json: unknown;
    try {
      json = dataBytes ? JSON.parse(decoder.decode(dataBytes)) : null;
    } catch {
      return fail('malformed_credentials', 'data is not UTF-8 JSON');
    }
    const payload = readPayload(json);
    if (!payload) return fail('malformed_credentials', 'payload lacks instanceId or signDate');

    if (payload.appDefId != null && payload.appDefId !== options.appId) {
      return fail('wrong_app', 'appDefId is another app');
    }
    const signedAtMs = parseSignDate(payload.signDate);
    if (signedAtMs === null) return fail('malformed_credentials', 'signDate is not a date');
    const current = now();
    if (signedAtMs > current + skewMs)
      return fail('instance_not_yet_valid', 'signDate is in the future');
    if (current - signedAtMs > maxAgeMs) return fail('expired_instance', 'signDate is too old');

    return {
      ok: true,
      value: {
        instanceId: payload.instanceId,
        appDefId: payload.appDefId ?? null,
        uid: payload.uid ?? null,
        permissions: payload.permissions ?? null,
        isOwner: payload.permissions === 'OWNER',
        signedAt: new Date(signedAtMs),
        vendorProductId: payload.vendorProductId ?? null,
        originInstanceId: payload.originInstanceId ?? null,
        siteOwnerId: payload.siteOwnerId ?? null,
        aid: payload.aid ?? null,
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
  if (typeof value === 'string' && /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value))
    value = `${value}Z`;
  const ms =
    typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}
