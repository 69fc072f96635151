/**
 * Verifying a credential — the one name for it inside the machinery (`verifyCredential`; a
 * handler's door is `app.authenticate`, src/app/authenticate.ts): Authorization header →
 * verified `Identity`, or a typed refusal whose reason is the problem code the client will see. A signed instance (`<sig>.<data>`: exactly
 * one dot) is verified locally. A credential shaped like a Wix access token (`OauthNG.JWS.…`:
 * several dot-separated parts of token characters) is checked with Token Info, when a verifier
 * for those is configured. Anything else is refused locally, without a call to Wix.
 */
import type { AuthFailureCode } from '../errors/app-error';
import { inSpan, type Span } from '../tracing';
import type { VerifyAccessTokenResult } from './verify-access-token';
import type { Caller, Identity } from './identity';
import { readCredential } from './read-credential';
import { UNATTRIBUTED } from './token-info-guard';
import type { KnownInstances } from './token-standing';
import type { VerifyInstanceResult } from './verify-instance';

export type VerifyCredentialResult =
  | { ok: true; identity: Identity; credential: string }
  | {
      ok: false;
      reason: AuthFailureCode | 'token_info_unavailable' | 'too_many_requests';
      detail: string;
      /** For `token_info_unavailable` and `too_many_requests`: when to try again. */
      retryAfterSeconds?: number;
    };

export interface CredentialVerifierOptions {
  verifyInstance: (instance: string) => Promise<VerifyInstanceResult>;
  /** `client`: the address unknown tokens are budgeted for (token-info-guard.ts). */
  verifyAccessToken?: (token: string, client: string) => Promise<VerifyAccessTokenResult>;
  /** The caller's address for those budgets; default one shared budget. */
  clientOf?: (request: Request) => string;
  /**
   * Where a verified signed instance is remembered, so that its site's access tokens are
   * admitted first when unknown tokens flood in (token-standing.ts).
   */
  knownInstances?: KnownInstances;
}

export type VerifyCredential = (request: Request) => Promise<VerifyCredentialResult>;

/**
 * Token Info's `subjectType` → the caller's role. `UNKNOWN`, and anything Wix may add later, is
 * a visitor: the least a verified token can be.
 */
const TOKEN_CALLERS: ReadonlyMap<string, Caller> = new Map([
  ['USER', 'dashboard'],
  ['MEMBER', 'member'],
  ['VISITOR', 'visitor'],
  ['APP', 'app'],
]);

/** Dot-separated parts of JWS/base64 token characters; Wix's look like `OauthNG.JWS.<jws>`. */
const ACCESS_TOKEN_SHAPE = /^[A-Za-z0-9_~+/=-]+(?:\.[A-Za-z0-9_~+/=-]+){2,}$/;

/**
 * Builds the authenticator; never throws on bad input. Each check is an `auth.verify_credential`
 * span: the credential's kind, the outcome, the refusal's code or the verified instance id —
 * never the credential.
 */
export function createCredentialVerifier(options: CredentialVerifierOptions): VerifyCredential {
  const verify = async function verifyCredential(
    request: Request,
    span: Span,
  ): Promise<VerifyCredentialResult> {
    const read = readCredential(request.headers);
    if (!read.ok) return read;
    const { credential } = read;

    const dots = credential.split('.').length - 1;
    const kind = dots >= 2 && options.verifyAccessToken ? 'access-token' : 'signed-instance';
    span.setAttribute('auth.credential_kind', kind);
    if (kind === 'access-token' && options.verifyAccessToken) {
      if (!ACCESS_TOKEN_SHAPE.test(credential)) {
        return {
          ok: false,
          reason: 'malformed_credentials',
          detail: 'not an instance nor an access token',
        };
      }
      const verified = await options.verifyAccessToken(
        credential,
        options.clientOf?.(request) ?? UNATTRIBUTED,
      );
      if (!verified.ok) return verified;
      const token = verified.value;
      return {
        ok: true,
        credential,
        identity: {
          credential: 'access-token',
          instanceId: token.instanceId,
          uid: token.subjectType === 'USER' ? token.subjectId : null,
          permissions: null,
          isOwner: token.subjectType === 'USER',
          caller: TOKEN_CALLERS.get(token.subjectType) ?? 'visitor',
          subjectType: token.subjectType,
          subjectId: token.subjectId,
          expiresAt: token.expiresAt?.toISOString() ?? null,
        },
      };
    }

    const verified = await options.verifyInstance(credential);
    if (!verified.ok) return verified;
    const instance = verified.value;
    options.knownInstances?.remember(instance.instanceId);
    return {
      ok: true,
      credential,
      identity: {
        credential: 'signed-instance',
        instanceId: instance.instanceId,
        uid: instance.uid,
        permissions: instance.permissions,
        isOwner: instance.isOwner,
        // Wix's rule for dashboard actions is the owner permission; a uid without it is a site
        // member (Wix gives a backend no way to tell a collaborator's instance from a member's).
        caller: instance.isOwner ? 'dashboard' : instance.uid ? 'member' : 'visitor',
        signedAt: instance.signedAt.toISOString(),
        vendorProductId: instance.vendorProductId,
      },
    };
  };
  return (request) =>
    inSpan('auth.verify_credential', {}, async (span) => {
      const result = await verify(request, span);
      span.setAttributes(
        result.ok
          ? { 'auth.outcome': 'verified', 'wix.instance_id': result.identity.instanceId }
          : { 'auth.outcome': 'refused', 'auth.refusal_code': result.reason },
      );
      return result;
    });
}
