/**
 * The plan, refreshed from Wix. The app-instance events keep it current, but an event can be
 * late or missed; Wix advises asking again where it matters. Get App Instance reports the plan
 * (`billing`), and what it says is recorded as of now — so an older event arriving later does
 * not undo it, and a newer one does.
 */
import type { Session } from './authenticate';
import type { AppContext } from './context';
import { planOf, type PlanView } from '../instances/plan';
import { getAppInstance } from '../wix/get-app-instance';

export async function refreshPlan(app: AppContext, session: Session): Promise<PlanView> {
  const info = await getAppInstance(session.wix);
  const at = new Date(app.now());
  const database = await app.database();
  const record = await database.instances.recordPlan(
    session.tenant.instanceId,
    {
      plan: info.isFree ? null : info.plan,
      cycle: info.billing?.cycle ?? null,
      expiresAt: info.billing?.expiresAt ? new Date(info.billing.expiresAt) : null,
      autoRenews: info.billing?.autoRenews ?? null,
    },
    at,
  );
  return planOf(record ?? session.instance, app.now());
}
