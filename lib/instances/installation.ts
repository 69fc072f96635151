/** The installation as `/api/me` shows it, from what the lifecycle webhooks recorded. */
import type { InstanceRecord } from './instances-store';

export interface InstallationView {
  status: 'installed' | 'removed' | 'unknown';
  removedAt: string | null;
  plan: {
    id: string;
    cycle: string | null;
    expiresAt: string | null;
    autoRenews: boolean | null;
  } | null;
}

export function installationView(instance: InstanceRecord): InstallationView {
  return {
    status: (instance.status ?? 'unknown') as InstallationView['status'],
    removedAt: instance.removedAt?.toISOString() ?? null,
    plan: instance.plan
      ? {
          id: instance.plan,
          cycle: instance.planCycle,
          expiresAt: instance.planExpiresAt?.toISOString() ?? null,
          autoRenews: instance.planAutoRenews,
        }
      : null,
  };
}
