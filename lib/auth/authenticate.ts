/**
 * Request authentication: Authorization header → verified `Identity`, or a typed refusal whose
 * reason is the problem code the client will see.
 */
import type { AuthFailureCode } from '../http/problem';
import type { Identity } from './identity';
import { readCredential } from './read-credential';
import type { VerifyInstanceResult } from './verify-instance';

export type AuthResult =
  | { ok: true; identity: Identity; credential: string }
  | { ok: false; reason: AuthFailureCode; detail: string };

export interface AuthenticatorOptions {
  verifyInstance: (instance: string) => Promise<VerifyInstanceResult>;
}

export type Authenticate = (request: Request) => Promise<AuthResult>;

/** Builds the authenticator; never throws on bad input. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  return async function authenticate(request) {
    const read = readCredential(request.headers);
    if (!read.ok) return read;
    const verified = await options.verifyInstance(read.credential);
    if (!verified.ok) return verified;
    const instance = verified.value;
    return {
      ok: true,
      credential: read.credential,
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
