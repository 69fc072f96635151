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
import type { VerifyInstanceResult } from './verify-instance';

export type AuthResult =
  | { ok: true; identity: Identity; credential: string }
  | { ok: false; reason: AuthFailureCode | 'token_info_unavailable'; detail: string };

export interface AuthenticatorOptions {
  verifyInstance: (instance: string) => Promise<VerifyInstanceResult>;
  verifyAccessToken?: (token: string) => Promise<VerifyAccessTokenResult>;
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
      const verified = await options.verifyAccessToken(credential);
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
