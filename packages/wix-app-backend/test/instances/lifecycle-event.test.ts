import { describe, expect, it } from 'vitest';
import { toLifecycleEvent } from '../../src/instances/lifecycle-event';
import type { WixWebhookEvent } from '../../src/webhooks/verify-webhook';

const INSTANCE = '6e1f3c2a-4b5d-4e6f-8a7b-9c0d1e2f3a4b';
const OCCURRED = new Date('2026-02-27T08:30:15.000Z');
const RECEIVED = new Date('2026-03-01T12:00:00.000Z');

const webhook = (
  eventType: string,
  data: Record<string, unknown> = {},
  occurredAt: Date | null = OCCURRED,
): WixWebhookEvent => ({
  eventType,
  instanceId: INSTANCE,
  data,
  identity: null,
  accountInfo: null,
  occurredAt,
  expiresAt: new Date(RECEIVED.getTime() + 3_600_000),
});

const eventOf = (eventType: string, data: Record<string, unknown> = {}) =>
  toLifecycleEvent(webhook(eventType, data), RECEIVED).event;

const plan = {
  operationTimeStamp: '2026-02-27T08:30:15.000Z',
  vendorProductId: 'premium',
  cycle: 'YEARLY',
  expiresOn: '2027-02-27T08:30:15.000Z',
};

describe('toLifecycleEvent', () => {
  it('keeps the event type, the instance and the time of the event', () => {
    expect(toLifecycleEvent(webhook('AppRemoved'), RECEIVED)).toEqual({
      eventType: 'AppRemoved',
      instanceId: INSTANCE,
      occurredAt: OCCURRED,
      event: { kind: 'removed' },
    });
  });

  it('falls back to the time of receipt when the delivery carries no time', () => {
    expect(toLifecycleEvent(webhook('AppRemoved', {}, null), RECEIVED).occurredAt).toEqual(
      RECEIVED,
    );
  });

  it('maps AppInstalled on a new site to installed with no origin', () => {
    expect(eventOf('AppInstalled', { appId: 'app' })).toEqual({
      kind: 'installed',
      originInstanceId: null,
    });
  });

  it('maps AppInstalled on a duplicated site to installed with its origin', () => {
    expect(eventOf('AppInstalled', { appId: 'app', originInstanceId: 'origin-1' })).toEqual({
      kind: 'installed',
      originInstanceId: 'origin-1',
    });
  });

  it.each([
    ['empty', ''],
    ['a number', 42],
    ['an object', { id: 'origin-1' }],
    ['longer than 256 characters', 'x'.repeat(257)],
  ])('treats an originInstanceId that is %s as no origin', (_label, originInstanceId) => {
    expect(eventOf('AppInstalled', { originInstanceId })).toEqual({
      kind: 'installed',
      originInstanceId: null,
    });
  });

  it.each(['PaidPlanPurchased', 'PaidPlanChanged', 'PlanConvertedToPaid', 'PlanReactivated'])(
    'maps %s to the plan with its product, cycle and expiry',
    (eventType) => {
      expect(
        eventOf(eventType, { ...plan, previousVendorProductId: 'basic', previousCycle: 'MONTHLY' }),
      ).toEqual({
        kind: 'plan',
        plan: 'premium',
        cycle: 'YEARLY',
        expiresAt: new Date('2027-02-27T08:30:15.000Z'),
      });
    },
  );

  it('maps a plan event without product, cycle or a readable expiry to nulls', () => {
    expect(eventOf('PaidPlanPurchased', { expiresOn: 'next year' })).toEqual({
      kind: 'plan',
      plan: null,
      cycle: null,
      expiresAt: null,
    });
    expect(eventOf('PaidPlanChanged', { vendorProductId: 7, cycle: null })).toEqual({
      kind: 'plan',
      plan: null,
      cycle: null,
      expiresAt: null,
    });
  });

  it('maps PlanTransferred to the plan with its product and cycle, keeping the expiry known', () => {
    expect(
      eventOf('PlanTransferred', {
        operationTimeStamp: plan.operationTimeStamp,
        vendorProductId: 'premium',
        cycle: 'MONTHLY',
        invoiceId: 'invoice-1',
        // Not documented for a transfer; ignored if it ever comes.
        expiresOn: plan.expiresOn,
      }),
    ).toEqual({
      kind: 'plan',
      plan: 'premium',
      cycle: 'MONTHLY',
      expiresAt: null,
      keepExpiry: true,
    });
  });

  it('dates a plan event by its operationTimeStamp, passed on by the verifier', () => {
    const at = new Date(plan.operationTimeStamp);
    expect(toLifecycleEvent(webhook('PlanReactivated', plan, at), RECEIVED).occurredAt).toEqual(at);
  });

  it('maps PaidPlanAutoRenewalCancelled to auto_renew_cancelled', () => {
    expect(
      eventOf('PaidPlanAutoRenewalCancelled', {
        ...plan,
        cancelReason: 'USER_ACTION',
        userReason: 'too expensive',
        subscriptionCancellationType: 'AT_END_OF_PERIOD',
      }),
    ).toEqual({ kind: 'auto_renew_cancelled' });
  });

  it.each(['SitePropertiesUpdated', 'appinstalled', 'AppInstalled ', ''])(
    'maps the unknown type %j to unknown',
    (eventType) => {
      expect(eventOf(eventType, { appId: 'app' })).toEqual({ kind: 'unknown' });
    },
  );
});
