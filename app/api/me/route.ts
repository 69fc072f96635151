import { json, withProblems } from '@/lib/http/route';
import { requireInstance } from '@/lib/server/require-instance';

/** Who the verified credential says the caller is, and when this instance was first seen. */
export const GET = withProblems(async (request) => {
  const { identity, instance } = await requireInstance(request);
  return json({
    instanceId: identity.instanceId,
    uid: identity.uid,
    permissions: identity.permissions,
    isOwner: identity.isOwner,
    credential: identity.credential,
    signedAt: identity.signedAt,
    firstSeenAt: instance.firstSeenAt.toISOString(),
  });
});
