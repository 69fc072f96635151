/**
 * Verifies a service-plugin call from Wix (docs/service-plugins.md, "The contract"): the whole
 * body is a JWT signed RS256 with the app's key pair — the same public key as webhooks — issued by
 * `wix.com` for this app (`aud`), with `iat` and `exp`. Unlike a webhook its `data` claim is an
 * object `{ request, metadata }`, and `metadata.appExtensionType` names the plugin.
 *
 * The signature, algorithm, keys and times are checked as for a webhook delivery, by the same
 * code (src/webhooks/verify-wix-jwt.ts): `alg: none` and an HS256 token "signed" with the public
 * key as an HMAC secret are refused before any claim is read. Never throws on bad input.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { isStorableText } from '../validation/storable-text';
import {
  createWixJwtVerifier,
  WIX_JWT_CLOCK_LEEWAY_SECONDS,
  WIX_JWT_MAX_FUTURE_IAT_SECONDS,
  type WixJwtFailure,
} from '../webhooks/verify-wix-jwt';

/** Clock difference tolerated on `exp`/`iat`: the same as webhooks, signed by the same Wix. */
export const SERVICE_PLUGIN_CLOCK_LEEWAY_SECONDS = WIX_JWT_CLOCK_LEEWAY_SECONDS;
/** A call dated further ahead than this is refused: nothing Wix signs now is from the future. */
export const SERVICE_PLUGIN_MAX_FUTURE_IAT_SECONDS = WIX_JWT_MAX_FUTURE_IAT_SECONDS;
/** Wix's issuer claim on every service-plugin call (the SDK's AppStrategy checks the same). */
export const SERVICE_PLUGIN_ISSUER = 'wix.com';

/** Who the call is made for (the buyer at checkout, a member, a dashboard user, an app). */
export interface ServicePluginIdentity {
  identityType: string;
  anonymousVisitorId?: string;
  memberId?: string;
  wixUserId?: string;
  appId?: string;
}

/** The envelope's `metadata`, common to every plugin and method. */
export interface ServicePluginMetadata {
  requestId: string | null;
  instanceId: string;
  /** ISO 4217; the site's currency. */
  currency: string | null;
  languages: string[];
  /** As Wix spells it (`ECOM_ADDITIONAL_FEES`); matched case-insensitively. */
  appExtensionType: string;
  identity: ServicePluginIdentity | null;
}

export interface ServicePluginCall {
  /** The method's request, in REST field names; validated by the method's own schema later. */
  request: Record<string, unknown>;
  metadata: ServicePluginMetadata;
}

export type ServicePluginFailureReason =
  | 'invalid_service_plugin_signature'
  | 'expired_service_plugin_call'
  | 'malformed_service_plugin_call'
  | 'wrong_app';
export type VerifyServicePluginResult =
  | { ok: true; value: ServicePluginCall }
  | { ok: false; reason: ServicePluginFailureReason; detail: string };

const Identity = z.looseObject({
  identityType: z.string().min(1).max(64),
  anonymousVisitorId: z.string().max(256).optional(),
  memberId: z.string().max(256).optional(),
  wixUserId: z.string().max(256).optional(),
  appId: z.string().max(256).optional(),
});
const Metadata = z.looseObject({
  requestId: z.string().max(256).nullish(),
  // The site's key in every table: text PostgreSQL cannot store (a NUL, a lone surrogate) makes
  // the call malformed rather than the instance's insert fail.
  instanceId: z.string().min(1).max(256).refine(isStorableText),
  // What the handlers answer in (a fee in any other currency Wix drops): a code the answer
  // schemas refuse (`eur`, `EURO`) made every such call a 500 from the answer check instead. An
  // empty one says no more than an absent one, and is read as that.
  currency: z.preprocess(
    (value) => (value === '' ? null : value),
    z
      .string()
      .regex(/^[A-Z]{3}$/)
      .nullish(),
  ),
  languages: z.array(z.string().max(64)).max(64).nullish(),
  appExtensionType: z.string().min(1).max(128),
  identity: Identity.nullish().catch(null),
});
const Data = z.object({
  request: z.record(z.string(), z.unknown()).nullish(),
  metadata: Metadata,
});

const REASONS: Record<WixJwtFailure, ServicePluginFailureReason> = {
  signature: 'invalid_service_plugin_signature',
  expired: 'expired_service_plugin_call',
  malformed: 'malformed_service_plugin_call',
};

const fail = (reason: ServicePluginFailureReason, detail: string): VerifyServicePluginResult => ({
  ok: false,
  reason,
  detail,
});

/**
 * Builds the verifier for the app's public key, or several while the key is being changed (the
 * first that verifies the signature wins).
 */
export function createServicePluginVerifier(
  publicKeys: readonly KeyObject[],
  options: { appId: string; now?: () => number },
): (body: string) => Promise<VerifyServicePluginResult> {
  if (publicKeys.length === 0)
    throw new Error('createServicePluginVerifier needs at least one public key');
  const now = options.now ?? Date.now;
  const verifyJwt = createWixJwtVerifier(publicKeys, {
    issuer: SERVICE_PLUGIN_ISSUER,
    // Without `exp` a captured call could be replayed forever; without `iat` its age is unknown.
    requiredClaims: ['exp', 'iat'],
    now,
  });

  return async function verifyServicePluginRequest(body) {
    const verified = await verifyJwt(body);
    if (!verified.ok) return fail(REASONS[verified.failure], verified.detail);
    const { claims } = verified;
    // After the signature: an unsigned `aud` says nothing. Another app's call, verified with a
    // key this app shares with it, is still not this app's to answer.
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audience.includes(options.appId)) return fail('wrong_app', 'aud is another app');

    // Wix sends `data` as an object; a JSON string is accepted too, as webhooks nest it so.
    let data: unknown = claims.data;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch {
        data = null;
      }
    }
    const parsed = Data.safeParse(data);
    if (!parsed.success)
      return fail(
        'malformed_service_plugin_call',
        'the data claim is not a service-plugin envelope { request, metadata }',
      );
    const { metadata } = parsed.data;
    return {
      ok: true,
      value: {
        request: parsed.data.request ?? {},
        metadata: {
          requestId: metadata.requestId ?? null,
          instanceId: metadata.instanceId,
          currency: metadata.currency ?? null,
          languages: metadata.languages ?? [],
          appExtensionType: metadata.appExtensionType,
          identity: metadata.identity ?? null,
        },
      },
    };
  };
}
