/**
 * Builds and signs a service-plugin call exactly as Wix does (docs/service-plugins.md, "The
 * contract"): an RS256 JWT from `wix.com` for the app (`aud`), whose `data` claim is the object
 * `{ request, metadata }`. For `npm run service-plugin`, the demo and tests; never needed in
 * production. test/service-plugins/sdk-interop.test.ts checks that `@wix/sdk`'s own processing
 * accepts what this signs.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

export interface ServicePluginCallInput {
  appId: string;
  /** `ECOM_ADDITIONAL_FEES`, `ECOM_SHIPPING_RATES`, … */
  appExtensionType: string;
  instanceId: string;
  /** The method's request, in REST field names. */
  request: Record<string, unknown>;
  currency?: string;
  languages?: string[];
  /** Default an anonymous visitor at checkout. */
  identity?: Record<string, unknown>;
  requestId?: string;
}

export interface SignServicePluginOptions {
  issuedAt?: Date;
  expiresInSeconds?: number;
  /** Default `wix.com`; a test of a wrong issuer changes it. */
  issuer?: string;
  /** Default `input.appId`. */
  audience?: string;
}

export function signServicePluginRequest(
  input: ServicePluginCallInput,
  privateKey: KeyObject,
  options: SignServicePluginOptions = {},
): Promise<string> {
  const metadata = {
    requestId: input.requestId ?? randomUUID(),
    instanceId: input.instanceId,
    currency: input.currency ?? 'USD',
    languages: input.languages ?? ['en'],
    appExtensionType: input.appExtensionType,
    identity: input.identity ?? {
      identityType: 'ANONYMOUS_VISITOR',
      anonymousVisitorId: randomUUID(),
    },
  };
  const iat = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  return new SignJWT({ data: { request: input.request, metadata } })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(options.issuer ?? 'wix.com')
    .setAudience(options.audience ?? input.appId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.expiresInSeconds ?? 60))
    .sign(privateKey);
}
