import { json, withProblems } from '@/lib/http/route';
import { requireIdentity } from '@/lib/server/require-identity';

/** Who the verified credential says the caller is. */
export const GET = withProblems(async (request) => {
  const identity = await requireIdentity(request);
  return json({
    instanceId: identity.instanceId,
    uid: identity.uid,
    permissions: identity.permissions,
    isOwner: identity.isOwner,
    credential: identity.credential,
    signedAt: identity.signedAt,
  });
});
