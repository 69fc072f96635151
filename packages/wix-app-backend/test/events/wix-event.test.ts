import { describe, expect, it } from 'vitest';
import { toWixEvent } from '../../src/events/wix-event';
import type { WixWebhookEvent } from '../../src/webhooks/verify-webhook';

const INSTANCE = '6e1f3c2a-4b5d-4e6f-8a7b-9c0d1e2f3a4b';
const SIGNED_AT = new Date('2026-03-01T12:00:05.000Z');

const webhook = (
  eventType: string,
  data: Record<string, unknown>,
  more: Partial<WixWebhookEvent> = {},
): WixWebhookEvent => ({
  eventType,
  instanceId: INSTANCE,
  data,
  identity: { identityType: 'MEMBER', memberId: 'member-1' },
  accountInfo: { accountId: 'account-1', siteId: 'site-1' },
  occurredAt: SIGNED_AT,
  expiresAt: new Date(SIGNED_AT.getTime() + 3_600_000),
  ...more,
});

/** A standardized business event as Wix sends it (docs/wix-protocol.md, "Business events"). */
const order = { id: 'order-1', number: '10042', priceSummary: { total: { amount: '12.50' } } };
const standardized = {
  id: 'event-7f3a',
  entityFqdn: 'wix.ecom.v1.order',
  slug: 'created',
  entityId: 'order-1',
  eventTime: '2026-03-01T11:59:58.123Z',
  triggeredByAnonymizeRequest: false,
  createdEvent: { entity: order },
};

describe('toWixEvent: a standardized event', () => {
  it('reads Wix’s event id, slug, entity and time, and hands on the delivery as it came', () => {
    expect(toWixEvent(webhook('wix.ecom.v1.order_created', standardized))).toEqual({
      eventType: 'wix.ecom.v1.order_created',
      instanceId: INSTANCE,
      data: standardized,
      identity: { identityType: 'MEMBER', memberId: 'member-1' },
      accountInfo: { accountId: 'account-1', siteId: 'site-1' },
      occurredAt: '2026-03-01T11:59:58.123Z',
      id: 'event-7f3a',
      slug: 'created',
      entityFqdn: 'wix.ecom.v1.order',
      entityId: 'order-1',
      created: order,
      updated: null,
      deleted: null,
      action: null,
      triggeredByAnonymizeRequest: false,
    });
  });

  it('reads the entity after an update from updatedEvent.currentEntity', () => {
    const event = toWixEvent(
      webhook('wix.ecom.v1.order_updated', {
        ...standardized,
        slug: 'updated',
        createdEvent: undefined,
        updatedEvent: { currentEntity: { ...order, number: '10043' } },
      }),
    );
    expect(event).toMatchObject({
      slug: 'updated',
      created: null,
      updated: { ...order, number: '10043' },
      deleted: null,
      action: null,
    });
  });

  it('reads deletedEvent as Wix sent it', () => {
    const event = toWixEvent(
      webhook('wix.contacts.v4.contact_deleted', {
        id: 'event-2',
        slug: 'deleted',
        entityFqdn: 'wix.contacts.v4.contact',
        entityId: 'contact-1',
        deletedEvent: { movedToTrash: true },
      }),
    );
    expect(event).toMatchObject({
      id: 'event-2',
      slug: 'deleted',
      entityId: 'contact-1',
      deleted: { movedToTrash: true },
      created: null,
      updated: null,
      action: null,
    });
  });

  it('reads an action’s name from the slug and its body from actionEvent.body', () => {
    const event = toWixEvent(
      webhook('wix.ecom.v1.order_paid', {
        id: 'event-3',
        slug: 'paid',
        entityFqdn: 'wix.ecom.v1.order',
        entityId: 'order-1',
        actionEvent: { body: { order } },
      }),
    );
    expect(event).toMatchObject({ slug: 'paid', action: { order }, created: null });
  });

  it('says when a privacy (GDPR) request caused the event', () => {
    const event = toWixEvent(
      webhook('wix.contacts.v4.contact_updated', {
        ...standardized,
        triggeredByAnonymizeRequest: true,
      }),
    );
    expect(event.triggeredByAnonymizeRequest).toBe(true);
  });

  it('dates the event by the delivery (operationTimeStamp, else iat) when eventTime is missing or unreadable', () => {
    const { eventTime: _eventTime, ...withoutTime } = standardized;
    expect(toWixEvent(webhook('wix.ecom.v1.order_created', withoutTime)).occurredAt).toBe(
      SIGNED_AT.toISOString(),
    );
    expect(
      toWixEvent(webhook('wix.ecom.v1.order_created', { ...standardized, eventTime: 'yesterday' }))
        .occurredAt,
    ).toBe(SIGNED_AT.toISOString());
    expect(
      toWixEvent(webhook('wix.ecom.v1.order_created', withoutTime, { occurredAt: null }))
        .occurredAt,
    ).toBeNull();
  });
});

describe('toWixEvent: an event that is not standardized', () => {
  it('gives nulls for the standardized fields of a lifecycle event, keeping its data', () => {
    const data = {
      operationTimeStamp: '2026-03-01T11:00:00.000Z',
      vendorProductId: 'gold',
      cycle: 'MONTHLY',
      expiresOn: '2026-03-31T11:00:00.000Z',
    };
    expect(
      toWixEvent(
        webhook('PaidPlanPurchased', data, {
          occurredAt: new Date(data.operationTimeStamp),
          identity: null,
          accountInfo: null,
        }),
      ),
    ).toEqual({
      eventType: 'PaidPlanPurchased',
      instanceId: INSTANCE,
      data,
      identity: null,
      accountInfo: null,
      occurredAt: '2026-03-01T11:00:00.000Z',
      id: null,
      slug: null,
      entityFqdn: null,
      entityId: null,
      created: null,
      updated: null,
      deleted: null,
      action: null,
      triggeredByAnonymizeRequest: false,
    });
  });

  it('gives nulls for an empty payload', () => {
    expect(toWixEvent(webhook('AppRemoved', {}))).toMatchObject({
      data: {},
      id: null,
      slug: null,
      entityFqdn: null,
      entityId: null,
      created: null,
      updated: null,
      deleted: null,
      action: null,
      triggeredByAnonymizeRequest: false,
    });
  });
});

describe('toWixEvent: fields of the wrong type', () => {
  const garbage: [string, Record<string, unknown>][] = [
    [
      'numbers, booleans and arrays for the texts',
      { id: 42, slug: true, entityFqdn: ['wix'], entityId: { id: 'x' }, eventTime: 1_700_000_000 },
    ],
    ['empty texts', { id: '', slug: '', entityFqdn: '', entityId: '', eventTime: '' }],
    [
      'texts longer than 256 characters',
      { id: 'x'.repeat(257), slug: 'y'.repeat(300), entityId: 'z'.repeat(1000) },
    ],
    [
      'the entity containers as texts, numbers and arrays',
      {
        createdEvent: 'order',
        updatedEvent: 7,
        deletedEvent: ['gone'],
        actionEvent: null,
        triggeredByAnonymizeRequest: 'yes',
      },
    ],
    [
      'the entities inside them of the wrong type',
      {
        createdEvent: { entity: 'order-1' },
        updatedEvent: { currentEntity: [1, 2] },
        deletedEvent: 'trash',
        actionEvent: { body: 12 },
      },
    ],
  ];

  it.each(garbage)('reads %s as null, never throwing', (_label, data) => {
    const event = toWixEvent(webhook('wix.ecom.v1.order_created', data));
    expect(event).toMatchObject({
      id: null,
      slug: null,
      entityFqdn: null,
      entityId: null,
      created: null,
      updated: null,
      deleted: null,
      action: null,
      triggeredByAnonymizeRequest: false,
    });
    // The time falls back to the delivery's: a number is not Wix's ISO text.
    expect(event.occurredAt).toBe(SIGNED_AT.toISOString());
    expect(event.data).toBe(data);
  });

  it('keeps the good fields next to bad ones', () => {
    const event = toWixEvent(
      webhook('wix.ecom.v1.order_created', { ...standardized, slug: 5, createdEvent: 'x' }),
    );
    expect(event).toMatchObject({
      id: 'event-7f3a',
      slug: null,
      entityId: 'order-1',
      created: null,
    });
  });
});
