/**
 * Who is calling, by role, as the credential shows it (docs/callers.md):
 * - `dashboard`: the site owner in the app's dashboard — a signed instance with
 *   `permissions: "OWNER"`, or a `USER` access token;
 * - `member`: a logged-in site member on the live site — a signed instance with a `uid` but no
 *   owner permission, or a `MEMBER` access token;
 * - `visitor`: an anonymous site visitor — a signed instance without `uid`, or a `VISITOR` (or
 *   `UNKNOWN`) access token;
 * - `app`: the app itself, server to server — an `APP` access token.
 * A route says which it serves (`app.authenticate(request, { callers })`); the default is
 * `dashboard` alone.
 */
export type Caller = 'dashboard' | 'member' | 'visitor' | 'app';

/** Every caller role, for a route that serves anyone with a verified credential. */
export const ANY_CALLER: readonly Caller[] = ['dashboard', 'member', 'visitor', 'app'];

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
  /** The caller's role (above): what a route's `callers` policy is checked against. */
  caller: Caller;
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
