/**
 * Request authentication: Authorization header → verified `Identity`, or a typed refusal whose
 * reason is the problem code the client will see. A signed instance (`<sig>.<data>`: exactly
 * one dot) is verified locally. A credential shaped like a Wix access token (`OauthNG.JWS.…`:
 * several dot-separated parts of token characters) is checked with Token Info, when a verifier
 * for those is configured. Anything else is refused locally, without a call to Wix.
 */
import type { AuthFailureCode } from '../errors/app-error';
import type { VerifyAccessTokenResult } from './verify-access-token';
import type { Identity } from './identity';
import { readCredential } from './read-credential';
import { UNATTRIBUTED } from './token-info-guard';
import type { VerifyInstanceResult } from './verify-instance';

export type AuthResult =
  | { ok: true; identity: Identity; credential: string }
  | {
      ok: false;
      reason: AuthFailureCode | 'token_info_unavailable' | 'too_many_requests';
      detail: string;
      /** For `token_info_unavailable` and `too_many_requests`: when to try again. */
      retryAfterSeconds?: number;
    };

export interface AuthenticatorOptions {
  verifyInstance: (instance: string) => Promise<VerifyInstanceResult>;
  /** `client`: the address unknown tokens are budgeted for (token-info-guard.ts). */
  verifyAccessToken?: (token: string, client: string) => Promise<VerifyAccessTokenResult>;
  /** The caller's address for those budgets; default one shared budget. */
  clientOf?: (request: Request) => string;
}

export type Authenticate = (request: Request) => Promise<AuthResult>;

/** Dot-separated parts of JWS/base64 token characters; Wix's look like `OauthNG.JWS.<jws>`. */
const ACCESS_TOKEN_SHAPE = /^[A-Za-z0-9_~+/=-]+(?:\.[A-Za-z0-9_~+/=-]+){2,}$/;

/** Builds the authenticator; never throws on bad input. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  return async function authenticate(request) {
    const read = readCredential(request.headers);
    if (!read.ok) return read;
    const { credential } = read;

    const dots = credential.split('.').length - 1;
    if (dots >= 2 && options.verifyAccessToken) {
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
          subjectType: token.subjectType,
          subjectId: token.subjectId,
          expiresAt: token.expiresAt?.toISOString() ?? null,
        },
      };
    }

    const verified = await options.verifyInstance(credential);
    if (!verified.ok) return verified;
    const instance = verified.value;
    return {
      ok: true,
      credential,
      identity: {
        credential: 'signed-instance',
        instanceId: instance.instanceId,
        uid: instance.uid,
        permissions: instance.permissions,
        isOwner: instance.isOwner,
        signedAt: instance.signedAt.toISOString(),
        vendorProductId: instance.vendorProductId,
      },
    };
  };
}
