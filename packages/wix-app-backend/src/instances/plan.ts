/**
 * The site's plan, as the app-instance events (and, on demand, Get App Instance) left it. Wix
 * identifies a paid plan by its `vendorProductId` (the plan id in the app dashboard's pricing
 * plans); none means the free plan (docs/wix-protocol.md, "Plans and billing").
 */
import type { InstanceRecord } from './instances-store';

export interface PlanView {
  /** The plan's `vendorProductId`; null for the free plan. */
  id: string | null;
  cycle: string | null;
  expiresAt: string | null;
  /** False once Wix reported the auto-renewal cancelled; null when unknown. */
  autoRenews: boolean | null;
  /**
   * Whether the site has a paid plan now. A plan whose auto-renewal was cancelled stays paid
   * until it expires; one past its expiry that still renews is paid too — Wix says that is a
   * billing issue (a charge being retried), not a downgrade, and sends an event when it ends.
   */
  paid: boolean;
}

export function planOf(instance: InstanceRecord, nowMs: number): PlanView {
  const expiresAt = instance.planExpiresAt;
  const lapsed =
    instance.planAutoRenews === false && expiresAt !== null && expiresAt.getTime() <= nowMs;
  return {
    id: instance.plan,
    cycle: instance.planCycle,
    expiresAt: expiresAt?.toISOString() ?? null,
    autoRenews: instance.planAutoRenews,
    paid: instance.plan !== null && !lapsed,
  };
}

/**
 * Does `plan` give access? `required`: any paid plan (empty), or one of these plan ids.
 */
export function hasPlan(plan: PlanView, required: readonly string[]): boolean {
  if (!plan.paid || plan.id === null) return false;
  return required.length === 0 || required.includes(plan.id);
}
