import { json, route } from '@/lib/wix-app';
import { planOf } from 'wix-app-backend/instances/plan';

/**
 * Example of a plan-gated route: 403 `plan_required` for a site on the free plan; 200 once a
 * paid plan is applied (any paid plan, or one of PREMIUM_PLANS when set); 403
 * `app_not_installed` after the app is removed.
 */
export const GET = route(async (request, app) => {
  const { instance } = await app.authenticate(request, { plan: true });
  return json({ premium: true, plan: planOf(instance, app.now()) });
});
