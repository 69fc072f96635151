/** The installation as `/api/me` shows it, from what the app-instance events recorded. */
import type { InstanceRecord } from './instances-store';
import { planOf, type PlanView } from './plan';

export interface InstallationView {
  status: 'installed' | 'removed' | 'unknown';
  removedAt: string | null;
  /** The paid plan, or null on the free plan. */
  plan: PlanView | null;
}

export function installationView(instance: InstanceRecord, nowMs: number): InstallationView {
  const plan = planOf(instance, nowMs);
  return {
    status: (instance.status ?? 'unknown') as InstallationView['status'],
    removedAt: instance.removedAt?.toISOString() ?? null,
    plan: plan.id === null ? null : plan,
  };
}
