import { describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../src/instances/instances-store';
import { hasPlan, planOf, type PlanView } from '../../src/instances/plan';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const DAY = 24 * 3600_000;

/** An instance's row with a plan; `planExpiresAt` as an offset from NOW. */
function instance(
  plan: string | null,
  fields: { expiresInMs?: number | null; autoRenews?: boolean | null; cycle?: string | null } = {},
): InstanceRecord {
  const { expiresInMs = 30 * DAY, autoRenews = true, cycle = 'MONTHLY' } = fields;
  return {
    instanceId: 'instance-1',
    firstSeenAt: new Date(NOW - 90 * DAY),
    lastSeenAt: new Date(NOW),
    status: 'installed',
    statusAt: new Date(NOW - 90 * DAY),
    removedAt: null,
    plan,
    planCycle: plan ? cycle : null,
    planExpiresAt: expiresInMs === null ? null : new Date(NOW + expiresInMs),
    planAutoRenews: autoRenews,
    planAt: new Date(NOW - DAY),
    planRenewalAt: new Date(NOW - DAY),
  };
}

const view = (plan: string | null, paid: boolean): PlanView => ({
  id: plan,
  cycle: null,
  expiresAt: null,
  autoRenews: null,
  paid,
});

describe('planOf', () => {
  it('shows a renewing plan as paid, with its cycle, expiry and renewal', () => {
    expect(planOf(instance('gold', { cycle: 'YEARLY' }), NOW)).toEqual({
      id: 'gold',
      cycle: 'YEARLY',
      expiresAt: new Date(NOW + 30 * DAY).toISOString(),
      autoRenews: true,
      paid: true,
    });
  });

  it('shows the free plan as not paid', () => {
    expect(planOf(instance(null, { expiresInMs: null, autoRenews: null }), NOW)).toEqual({
      id: null,
      cycle: null,
      expiresAt: null,
      autoRenews: null,
      paid: false,
    });
  });

  it('keeps a plan whose renewal was cancelled paid until it expires, and not a moment after', () => {
    const cancelled = instance('gold', { expiresInMs: 1_000, autoRenews: false });
    expect(planOf(cancelled, NOW).paid).toBe(true);
    expect(planOf(cancelled, NOW + 999).paid).toBe(true);
    expect(planOf(cancelled, NOW + 1_000).paid).toBe(false);
    expect(planOf(cancelled, NOW + 30 * DAY)).toMatchObject({ id: 'gold', paid: false });
  });

  it('keeps a plan past its expiry paid while it renews (a billing issue, not a downgrade)', () => {
    expect(planOf(instance('gold', { expiresInMs: -10 * DAY }), NOW).paid).toBe(true);
  });

  it('keeps a plan past its expiry paid when nobody said whether it renews', () => {
    expect(planOf(instance('gold', { expiresInMs: -DAY, autoRenews: null }), NOW).paid).toBe(true);
  });

  it('keeps a cancelled plan with no known expiry paid', () => {
    expect(planOf(instance('gold', { expiresInMs: null, autoRenews: false }), NOW).paid).toBe(true);
  });
});

describe('hasPlan', () => {
  it('lets any paid plan through when no plan is named', () => {
    expect(hasPlan(view('silver', true), [])).toBe(true);
  });

  it('lets through only the plans named', () => {
    expect(hasPlan(view('gold', true), ['gold', 'platinum'])).toBe(true);
    expect(hasPlan(view('platinum', true), ['gold', 'platinum'])).toBe(true);
    expect(hasPlan(view('silver', true), ['gold', 'platinum'])).toBe(false);
    expect(hasPlan(view('Gold', true), ['gold'])).toBe(false);
  });

  it('refuses the free plan, whatever is named', () => {
    expect(hasPlan(view(null, false), [])).toBe(false);
    expect(hasPlan(view(null, false), ['gold'])).toBe(false);
  });

  it('refuses a named plan that is no longer paid (lapsed)', () => {
    expect(hasPlan(view('gold', false), [])).toBe(false);
    expect(hasPlan(view('gold', false), ['gold'])).toBe(false);
  });
});
