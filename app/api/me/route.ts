import { json, withProblems } from '@/lib/http/route';
import { installationView, requireInstance } from '@/lib/server/require-instance';

/** Who the verified credential says the caller is, and when this instance was first seen. */
export const GET = withProblems(async (request) => {
  const { identity, instance } = await requireInstance(request);
  const common = {
    instanceId: identity.instanceId,
    uid: identity.uid,
    permissions: identity.permissions,
    isOwner: identity.isOwner,
    credential: identity.credential,
    firstSeenAt: instance.firstSeenAt.toISOString(),
    installation: installationView(instance),
  };
  return json(
    identity.credential === 'signed-instance'
      ? { ...common, signedAt: identity.signedAt }
      : {
          ...common,
          subjectType: identity.subjectType,
          subjectId: identity.subjectId,
          expiresAt: identity.expiresAt,
        },
  );
});
