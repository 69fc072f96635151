/**
 * The emulated installs. Any instance id is installed on first use; its site is derived from the
 * id, so Get App Instance answers the same for the same instance in every run.
 */
import { createHash } from 'node:crypto';
import type { InstanceSettings } from './types';

interface PaidPlan {
  vendorProductId: string;
  billingCycle: string;
  since: number;
  expiresAt: number;
  autoRenewing: boolean;
}

interface InstanceState {
  paid: PaidPlan | null;
  removed: boolean;
}

export interface InstanceRegistry {
  update(instanceId: string, settings: InstanceSettings): InstanceState;
  isRemoved(instanceId: string): boolean;
  /** The Get App Instance body (docs/wix-protocol.md, "Calling Wix as the app"). */
  describe(instanceId: string): unknown;
}

const BILLING_PERIOD_MS = 30 * 24 * 3600 * 1000;

export function createInstanceRegistry(now: () => number): InstanceRegistry {
  const states = new Map<string, InstanceState>();
  const stateOf = (id: string): InstanceState => states.get(id) ?? { paid: null, removed: false };

  return {
    update(instanceId, settings) {
      const state = { ...stateOf(instanceId) };
      if (settings.paid === null) state.paid = null;
      else if (settings.paid) {
        const since = now();
        const { vendorProductId, billingCycle, expirationDate } = settings.paid;
        state.paid = {
          vendorProductId,
          billingCycle: billingCycle ?? 'MONTHLY',
          since,
          expiresAt: expirationDate ? Date.parse(expirationDate) : since + BILLING_PERIOD_MS,
          autoRenewing: true,
        };
      }
      if (settings.autoRenewing !== undefined && state.paid) {
        state.paid = { ...state.paid, autoRenewing: settings.autoRenewing };
      }
      if (settings.removed !== undefined) state.removed = settings.removed;
      states.set(instanceId, state);
      return state;
    },
    isRemoved: (instanceId) => stateOf(instanceId).removed,
    describe(instanceId) {
      const { paid } = stateOf(instanceId);
      const siteId = siteIdFor(instanceId);
      const billing = paid && {
        packageName: paid.vendorProductId,
        billingCycle: paid.billingCycle,
        timeStamp: new Date(paid.since).toISOString(),
        expirationDate: new Date(paid.expiresAt).toISOString(),
        autoRenewing: paid.autoRenewing,
      };
      return {
        instance: {
          instanceId,
          appName: 'Emulated Wix App',
          appVersion: '1.0.0',
          isFree: !paid,
          ...(billing ? { billing } : {}),
          permissions: ['WIX_DEVELOPERS.GET_APP_INSTANCE'],
        },
        site: {
          siteId,
          siteDisplayName: `Emulated site ${instanceId.slice(0, 8)}`,
          url: `https://site-${siteId.slice(0, 8)}.wixsite.com/emulated`,
          locale: 'en',
          paymentCurrency: 'USD',
        },
      };
    },
  };
}

/** A GUID (version-4 layout) derived from the instance id: stable, and distinct per instance. */
export function siteIdFor(instanceId: string): string {
  const h = createHash('sha256').update(`wix-emulator-site:${instanceId}`).digest('hex');
  const variant = '89ab'[parseInt(h[16]!, 16) & 3]!;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
