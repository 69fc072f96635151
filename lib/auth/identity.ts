/** Who is calling, as established by a verified credential. Route handlers see only this. */
interface IdentityBase {
  /** The tenant key. Only ever taken from a verified credential. */
  instanceId: string;
  uid: string | null;
  permissions: string | null;
  /**
   * May act as the site owner: `permissions === "OWNER"` for a signed instance, a `USER`
   * subject for an access token (docs/wix-protocol.md, "Access tokens and Token Info").
   */
  isOwner: boolean;
}

/** From the `?instance=` Wix gives dashboard pages, verified locally with the app secret. */
export interface SignedInstanceIdentity extends IdentityBase {
  credential: 'signed-instance';
  /** ISO-8601 time at which Wix signed the instance. */
  signedAt: string;
  vendorProductId: string | null;
}

/** From a Wix access token (`fetchWithAuth`), verified through Wix's Token Info. */
export interface AccessTokenIdentity extends IdentityBase {
  credential: 'access-token';
  /** `APP`, `USER`, `MEMBER`, `VISITOR` or `UNKNOWN`. */
  subjectType: string;
  subjectId: string | null;
  /** ISO-8601 expiry of the token, when Wix reported one. */
  expiresAt: string | null;
}

export type Identity = SignedInstanceIdentity | AccessTokenIdentity;
