import { ANY_CALLER } from 'wix-app-backend/auth/identity';
import { json, route } from '@/lib/wix-app';
import { installationView } from 'wix-app-backend/instances/installation';

/** Who the verified credential says the caller is, and what Wix told us of its installation. */
export const GET = route(async (request, app) => {
  // Anyone with a verified credential may ask who they are, removed instances too: the answer
  // says they are removed.
  const { identity, instance } = await app.authenticate(request, {
    callers: ANY_CALLER,
    allowRemoved: true,
  });
  const common = {
    instanceId: identity.instanceId,
    uid: identity.uid,
    permissions: identity.permissions,
    isOwner: identity.isOwner,
    caller: identity.caller,
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
