import { refreshPlan } from 'wix-app-backend/app/plans';
import { json, route } from '@/lib/wix-app';

/** Asks Wix (Get App Instance) for the caller's plan now, records it and answers it. */
export const POST = route(async (request, app) => {
  const session = await app.authenticate(request);
  return json({ plan: await refreshPlan(app, session) });
});
