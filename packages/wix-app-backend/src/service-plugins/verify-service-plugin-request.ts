/**
 * Verifies a service-plugin call from Wix (docs/service-plugins.md, "The contract"): the whole
 * body is a JWT signed RS256 with the app's key pair — the same public key as webhooks — issued by
 * `wix.com` for this app (`aud`), with `iat` and `exp`. Unlike a webhook its `data` claim is an
 * object `{ request, metadata }`, and `metadata.appExtensionType` names the plugin.
 *
 * Like the webhook verifier (src/webhooks/verify-webhook.ts) the algorithm is pinned: `alg: none`
 * and an HS256 token "signed" with the public key as an HMAC secret are refused before any claim
 * is read. The JWT checks are jose's, made with node:crypto's synchronous verify
 * (src/crypto/verify-rs256-jwt.ts): a checkout waits on every call, and jose's Web Crypto
 * verification cost more per call under load than the rest of the entry. Never throws on bad
 * input.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { createRs256JwtVerifier } from '../crypto/verify-rs256-jwt';
import { WEBHOOK_CLOCK_LEEWAY_SECONDS } from '../webhooks/verify-webhook';

/** Clock difference tolerated on `exp`/`iat`: the same as webhooks, signed by the same Wix. */
export const SERVICE_PLUGIN_CLOCK_LEEWAY_SECONDS = WEBHOOK_CLOCK_LEEWAY_SECONDS;
/** A call dated further ahead than this is refused: nothing Wix signs now is from the future. */
export const SERVICE_PLUGIN_MAX_FUTURE_IAT_SECONDS = 300;
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
  instanceId: z.string().min(1).max(256),
  currency: z.string().max(16).nullish(),
  languages: z.array(z.string().max(64)).max(64).nullish(),
  appExtensionType: z.string().min(1).max(128),
  identity: Identity.nullish().catch(null),
});
const Data = z.object({
  request: z.record(z.string(), z.unknown()).nullish(),
  metadata: Metadata,
});

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

  const verifyJwt = createRs256JwtVerifier(publicKeys, {
    issuer: SERVICE_PLUGIN_ISSUER,
    clockToleranceSeconds: SERVICE_PLUGIN_CLOCK_LEEWAY_SECONDS,
    now,
    // Without `exp` a captured call could be replayed forever; without `iat` its age is unknown.
    requiredClaims: ['exp', 'iat'],
  });

  return async function verifyServicePluginRequest(body) {
    const token = body.trim();
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token))
      return fail('malformed_service_plugin_call', 'body is not a compact JWT');
    const verified = verifyJwt(token);
    if (!verified.ok) {
      if (verified.failure === 'expired')
        return fail('expired_service_plugin_call', 'exp has passed');
      if (verified.failure === 'claim')
        return fail('malformed_service_plugin_call', `${verified.claim}: ${verified.reason}`);
      return fail('invalid_service_plugin_signature', verified.detail);
    }
    const claims = verified.claims;
    // After the signature: an unsigned `aud` says nothing. Another app's call, verified with a
    // key this app shares with it, is still not this app's to answer.
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audience.includes(options.appId)) return fail('wrong_app', 'aud is another app');
    if (
      typeof claims.iat === 'number' &&
      claims.iat > now() / 1000 + SERVICE_PLUGIN_MAX_FUTURE_IAT_SECONDS
    )
      return fail('malformed_service_plugin_call', 'iat is too far in the future');

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
