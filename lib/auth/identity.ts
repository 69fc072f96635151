/** Who is calling, as established by a verified credential. Route handlers see only this. */
export interface Identity {
  credential: 'signed-instance';
  /** The tenant key. Only ever taken from a verified credential. */
  instanceId: string;
  uid: string | null;
  permissions: string | null;
  isOwner: boolean;
  /** ISO-8601 time at which Wix signed the instance. */
  signedAt: string;
  vendorProductId: string | null;
}
