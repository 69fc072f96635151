/**
 * The processor's constants and its routing, without a database: the runs themselves are held to
 * the contract in event-queue.contract.ts, on every engine.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open-database';
import type { EventQueue } from '../../src/events/event-queue';
import {
  backoffMs,
  createEventProcessor,
  EVENT_LEASE_MS,
  MAX_EVENT_ATTEMPTS,
} from '../../src/events/processor';
import { createLogger } from '../../src/log';
import { forInstance } from '../../src/wix/app-client';

const MINUTE = 60_000;

describe('backoffMs', () => {
  it('waits 30 s after the first failure, doubling each time, never more than an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50].map(backoffMs)).toEqual([
      30_000,
      60_000,
      2 * MINUTE,
      4 * MINUTE,
      8 * MINUTE,
      16 * MINUTE,
      32 * MINUTE,
      60 * MINUTE,
      60 * MINUTE,
      60 * MINUTE,
      60 * MINUTE,
    ]);
  });

  it('spreads MAX_EVENT_ATTEMPTS tries over about three hours before giving up', () => {
    expect(MAX_EVENT_ATTEMPTS).toBe(10);
    let total = 0;
    for (let attempt = 1; attempt < MAX_EVENT_ATTEMPTS; attempt++) total += backoffMs(attempt);
    expect(total / 3_600_000).toBeCloseTo(3.06, 1);
  });

  it('leases an event for 5 minutes by default', () => {
    expect(EVENT_LEASE_MS).toBe(5 * MINUTE);
  });
});

describe('createEventProcessor: handles', () => {
  const processor = createEventProcessor({
    db: {} as Db,
    queue: {} as EventQueue,
    handlers: { 'wix.ecom.v1.order_created': async () => {}, AppInstalled: async () => {} },
    wixFor: (instanceId) =>
      forInstance(async () => Promise.reject(new Error('no Wix')), instanceId),
    log: createLogger('silent'),
    now: Date.now,
  });

  it('handles exactly the event types registered', () => {
    expect(processor.handles('wix.ecom.v1.order_created')).toBe(true);
    expect(processor.handles('AppInstalled')).toBe(true);
    expect(processor.handles('wix.ecom.v1.order_updated')).toBe(false);
    expect(processor.handles('appinstalled')).toBe(false);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'does not take %s, inherited by every object, for a handler',
    (eventType) => {
      expect(processor.handles(eventType)).toBe(false);
    },
  );
});
