import { json, route } from '@/lib/http/route';
import { installationView } from '@/lib/instances/installation';

/** Who the verified credential says the caller is, and what Wix told us of its installation. */
export const GET = route(async (request, app) => {
  // Removed instances may still ask who they are: the answer says they are removed.
  const { identity, instance } = await app.authenticate(request, { allowRemoved: true });
  const common = {
    instanceId: identity.instanceId,
    uid: identity.uid,
    permissions: identity.permissions,
    isOwner: identity.isOwner,
    credential: identity.credential,
    firstSeenAt: instance.firstSeenAt.toISOString(),
    installation: installationView(instance, app.now()),
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
