/**
 * The contract for applying lifecycle webhooks and purging removed instances (the
 * `LifecycleStore` part of `Store`), run on every backend like store.contract.ts. Every test uses
 * fresh random instance ids; purge tests use their own eras (the 1980s) and never a `before` that
 * would reach another test's rows, so runs against one shared PostgreSQL never collide.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LifecycleOutcome } from '@/lib/db/lifecycle-store';
import type { InstanceRecord } from '@/lib/db/store';
import type { LifecycleEnvelope, LifecycleEvent } from '@/lib/webhooks/lifecycle-event';
import { runConcurrently, useOpenedStore, type OpenedStore } from './store.contract';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

const EVENT_TYPES: Record<LifecycleEvent['kind'], string> = {
  installed: 'AppInstalled',
  removed: 'AppRemoved',
  plan: 'PaidPlanPurchased',
  auto_renew_cancelled: 'PaidPlanAutoRenewalCancelled',
  unknown: 'SomethingNew',
};

const envelope = (
  instanceId: string,
  occurredAt: Date,
  event: LifecycleEvent,
): LifecycleEnvelope => ({
  eventType: EVENT_TYPES[event.kind],
  instanceId,
  occurredAt,
  event,
});
const installed = (originInstanceId: string | null = null): LifecycleEvent => ({
  kind: 'installed',
  originInstanceId,
});
const removed: LifecycleEvent = { kind: 'removed' };
const plan = (name: string, expiresAt: Date | null = null, cycle = 'MONTHLY'): LifecycleEvent => ({
  kind: 'plan',
  plan: name,
  cycle,
  expiresAt,
});
const autoRenewCancelled: LifecycleEvent = { kind: 'auto_renew_cancelled' };

export function lifecycleContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Lifecycle contract: ${name}`, () => {
    const store = useOpenedStore(open);

    /** Applies one delivery (a fresh delivery id unless given), received when it happened. */
    const apply = (
      instanceId: string,
      occurredAt: Date,
      event: LifecycleEvent,
      deliveryId: string = randomUUID(),
      receivedAt: Date = occurredAt,
    ): Promise<LifecycleOutcome> =>
      store().applyLifecycleEvent(envelope(instanceId, occurredAt, event), {
        id: deliveryId,
        receivedAt,
      });

    const instance = async (instanceId: string): Promise<InstanceRecord> => {
      const record = await store().getInstance(instanceId);
      if (!record) throw new Error(`instance ${instanceId} has no row`);
      return record;
    };
    const status = async (instanceId: string) => {
      const { status, statusAt, removedAt } = await instance(instanceId);
      return { status, statusAt, removedAt };
    };
    const planOf = async (instanceId: string) => {
      const { plan, planCycle, planExpiresAt, planAutoRenews, planAt } = await instance(instanceId);
      return { plan, planCycle, planExpiresAt, planAutoRenews, planAt };
    };
    const saveFirst = async (instanceId: string, document: unknown, when = T0) => {
      const saved = await store().saveSettings(instanceId, {
        document,
        expectedVersion: 0,
        updatedBy: 'owner-1',
        at: when,
      });
      expect(saved.ok).toBe(true);
    };

    describe('install and removal', () => {
      it('marks an instance installed at the time of the event', async () => {
        const id = randomUUID();
        expect(await apply(id, at(1), installed(), randomUUID(), at(2))).toBe('applied');
        expect(await instance(id)).toMatchObject({
          status: 'installed',
          statusAt: at(1),
          removedAt: null,
          firstSeenAt: at(2),
          lastSeenAt: at(2),
          plan: null,
        });
      });

      it('marks an installed instance removed, with removedAt = the time of the removal', async () => {
        const id = randomUUID();
        await apply(id, at(1), installed());
        expect(await apply(id, at(5), removed)).toBe('applied');
        expect(await status(id)).toEqual({ status: 'removed', statusAt: at(5), removedAt: at(5) });
      });

      it('marks an instance removed even when its install was never delivered', async () => {
        const id = randomUUID();
        expect(await apply(id, at(5), removed)).toBe('applied');
        expect(await status(id)).toEqual({ status: 'removed', statusAt: at(5), removedAt: at(5) });
      });

      it('does not move firstSeenAt of an instance the app saw before', async () => {
        const id = randomUUID();
        await store().recordSeen(id, at(-60), MINUTE);
        await apply(id, at(1), installed());
        expect(await instance(id)).toMatchObject({ firstSeenAt: at(-60), status: 'installed' });
      });

      it('reinstalls a removed instance on a newer install, keeping its settings', async () => {
        const id = randomUUID();
        await apply(id, at(1), installed());
        await saveFirst(id, { greeting: 'kept' }, at(2));
        await apply(id, at(3), removed);
        expect(await apply(id, at(10), installed())).toBe('applied');
        expect(await status(id)).toEqual({
          status: 'installed',
          statusAt: at(10),
          removedAt: null,
        });
        expect(await store().getSettings(id)).toEqual({
          document: { greeting: 'kept' },
          version: 1,
          updatedAt: at(2),
          updatedBy: 'owner-1',
        });
      });
    });

    describe('redeliveries', () => {
      it('answers duplicate for a delivery it has seen, with no second effect', async () => {
        const id = randomUUID();
        const delivery = randomUUID();
        expect(await apply(id, at(1), installed(), delivery)).toBe('applied');
        await apply(id, at(2), removed);
        expect(await apply(id, at(1), installed(), delivery)).toBe('duplicate');
        expect(await status(id)).toEqual({ status: 'removed', statusAt: at(2), removedAt: at(2) });
      });

      it('applies nothing for a seen delivery id, even one that would otherwise apply', async () => {
        const id = randomUUID();
        const delivery = randomUUID();
        await apply(id, at(1), installed(), delivery);
        // Same id, newer removal: only the id can stop it, not the ordering.
        expect(await apply(id, at(9), removed, delivery)).toBe('duplicate');
        expect(await status(id)).toEqual({ status: 'installed', statusAt: at(1), removedAt: null });
      });

      it('answers duplicate, not stale, for the same delivery arriving twice in a row', async () => {
        const id = randomUUID();
        const delivery = randomUUID();
        expect(await apply(id, at(1), plan('gold'), delivery)).toBe('applied');
        expect(await apply(id, at(1), plan('gold'), delivery)).toBe('duplicate');
      });

      it('applies a delivery once when many copies arrive at the same moment', async () => {
        const id = randomUUID();
        const delivery = randomUUID();
        const outcomes = await runConcurrently(12, 12, () => apply(id, at(1), removed, delivery));
        expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(11);
        expect(await status(id)).toEqual({ status: 'removed', statusAt: at(1), removedAt: at(1) });
      });
    });

    describe('deliveries out of order', () => {
      it('keeps a removed instance removed when an older install arrives late (stale)', async () => {
        const id = randomUUID();
        expect(await apply(id, at(2), removed)).toBe('applied');
        expect(await apply(id, at(1), installed())).toBe('stale');
        expect(await status(id)).toEqual({ status: 'removed', statusAt: at(2), removedAt: at(2) });
      });

      it('keeps an instance installed when an older removal arrives late (stale)', async () => {
        const id = randomUUID();
        await apply(id, at(2), installed());
        expect(await apply(id, at(1), removed)).toBe('stale');
        expect(await status(id)).toEqual({ status: 'installed', statusAt: at(2), removedAt: null });
      });

      it('keeps the newer of two installs', async () => {
        const id = randomUUID();
        expect(await apply(id, at(2), installed())).toBe('applied');
        expect(await apply(id, at(1), installed())).toBe('stale');
        expect((await status(id)).statusAt).toEqual(at(2));
      });

      it('keeps the removal time of the newer of two removals', async () => {
        const id = randomUUID();
        await apply(id, at(3), removed);
        expect(await apply(id, at(2), removed)).toBe('stale');
        expect(await status(id)).toEqual({ status: 'removed', statusAt: at(3), removedAt: at(3) });
      });

      it('lets a removal win over an install at the same time, removal first', async () => {
        const id = randomUUID();
        await apply(id, at(1), removed);
        expect(await apply(id, at(1), installed())).toBe('stale');
        expect(await status(id)).toEqual({ status: 'removed', statusAt: at(1), removedAt: at(1) });
      });

      it('lets a removal win over an install at the same time, install first', async () => {
        const id = randomUUID();
        await apply(id, at(1), installed());
        expect(await apply(id, at(1), removed)).toBe('applied');
        expect(await status(id)).toEqual({ status: 'removed', statusAt: at(1), removedAt: at(1) });
      });

      it('answers stale for a second removal at the same time', async () => {
        const id = randomUUID();
        await apply(id, at(1), removed);
        expect(await apply(id, at(1), removed)).toBe('stale');
      });

      it('ends in the state of the newest event whatever order many deliveries arrive in', async () => {
        const id = randomUUID();
        // Shuffled install/removal pairs; the newest is a removal at minute 40, tied with an install.
        const events: [number, LifecycleEvent][] = [];
        for (let minute = 0; minute <= 40; minute += 4) {
          events.push([minute, minute % 8 === 0 ? installed() : removed]);
        }
        events.push([40, removed], [40, installed()]);
        const order = events.map((_, i) => i).sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));
        await runConcurrently(order.length, 6, async (n) => {
          const [minute, event] = events[order[n] as number] as [number, LifecycleEvent];
          return apply(id, at(minute), event);
        });
        expect(await status(id)).toEqual({
          status: 'removed',
          statusAt: at(40),
          removedAt: at(40),
        });
      });
    });

    describe('plans', () => {
      it('records a purchase: plan, cycle, expiry, auto-renewing, and when', async () => {
        const id = randomUUID();
        const expires = new Date(T0.getTime() + 365 * DAY);
        expect(await apply(id, at(1), plan('gold', expires, 'YEARLY'))).toBe('applied');
        expect(await planOf(id)).toEqual({
          plan: 'gold',
          planCycle: 'YEARLY',
          planExpiresAt: expires,
          planAutoRenews: true,
          planAt: at(1),
        });
      });

      it('keeps the newest plan when an older change arrives late', async () => {
        const id = randomUUID();
        await apply(id, at(2), plan('gold'));
        expect(await apply(id, at(1), plan('silver'))).toBe('stale');
        expect(await planOf(id)).toMatchObject({ plan: 'gold', planAt: at(2) });
        expect(await apply(id, at(3), plan('platinum', null, 'YEARLY'))).toBe('applied');
        expect(await planOf(id)).toMatchObject({
          plan: 'platinum',
          planCycle: 'YEARLY',
          planAt: at(3),
        });
      });

      it('turns auto-renewal off, and an older purchase arriving later does not turn it back on', async () => {
        const id = randomUUID();
        const expires = new Date(T0.getTime() + 30 * DAY);
        await apply(id, at(1), plan('gold', expires));
        expect(await apply(id, at(5), autoRenewCancelled)).toBe('applied');
        expect(await planOf(id)).toEqual({
          plan: 'gold',
          planCycle: 'MONTHLY',
          planExpiresAt: expires,
          planAutoRenews: false,
          planAt: at(5),
        });
        expect(await apply(id, at(3), plan('gold', expires))).toBe('stale');
        expect((await planOf(id)).planAutoRenews).toBe(false);
      });

      it('turns auto-renewal back on with a newer purchase', async () => {
        const id = randomUUID();
        await apply(id, at(1), plan('gold'));
        await apply(id, at(2), autoRenewCancelled);
        expect(await apply(id, at(3), plan('gold'))).toBe('applied');
        expect((await planOf(id)).planAutoRenews).toBe(true);
      });

      it('keeps the status and the plan on separate clocks', async () => {
        const id = randomUUID();
        await apply(id, at(10), plan('gold'));
        // An install older than the plan event is still the newest status event.
        expect(await apply(id, at(1), installed())).toBe('applied');
        expect(await apply(id, at(2), removed)).toBe('applied');
        expect(await instance(id)).toMatchObject({
          status: 'removed',
          plan: 'gold',
          planAutoRenews: true,
          planAt: at(10),
        });
      });
    });

    describe('duplicated sites (originInstanceId)', () => {
      it('gives the new instance a copy of the original settings, at version 1', async () => {
        const origin = randomUUID();
        const copy = randomUUID();
        await saveFirst(origin, { greeting: 'v1' }, at(1));
        const again = await store().saveSettings(origin, {
          document: { greeting: 'original', nested: { list: [1, 2] } },
          expectedVersion: 1,
          updatedBy: 'owner-1',
          at: at(2),
        });
        expect(again).toMatchObject({ ok: true, version: 2 });
        const before = await store().getSettings(origin);

        expect(await apply(copy, at(5), installed(origin), randomUUID(), at(6))).toBe('applied');
        expect(await store().getSettings(copy)).toEqual({
          document: { greeting: 'original', nested: { list: [1, 2] } },
          version: 1,
          updatedAt: at(6),
          updatedBy: 'copied-from-original-site',
        });
        expect(await store().getSettings(origin)).toEqual(before);
        expect(await status(origin)).toEqual({ status: null, statusAt: null, removedAt: null });
        expect(await status(copy)).toEqual({
          status: 'installed',
          statusAt: at(5),
          removedAt: null,
        });
      });

      it('keeps settings the new instance already has', async () => {
        const origin = randomUUID();
        const copy = randomUUID();
        await saveFirst(origin, { greeting: 'original' });
        await saveFirst(copy, { greeting: 'mine' });
        expect(await apply(copy, at(5), installed(origin))).toBe('applied');
        expect(await store().getSettings(copy)).toMatchObject({
          document: { greeting: 'mine' },
          version: 1,
          updatedBy: 'owner-1',
        });
      });

      it('copies nothing when the original never saved settings', async () => {
        const copy = randomUUID();
        expect(await apply(copy, at(5), installed(randomUUID()))).toBe('applied');
        expect(await store().getSettings(copy)).toBeNull();
      });

      it('copies nothing from a stale install', async () => {
        const origin = randomUUID();
        const copy = randomUUID();
        await saveFirst(origin, { greeting: 'original' });
        await apply(copy, at(9), removed);
        expect(await apply(copy, at(5), installed(origin))).toBe('stale');
        expect(await store().getSettings(copy)).toBeNull();
      });
    });

    describe('unknown event types', () => {
      it('records an unknown event as ignored, with no effect on the instance', async () => {
        const id = randomUUID();
        const delivery = randomUUID();
        await apply(id, at(1), installed());
        expect(await apply(id, at(5), { kind: 'unknown' }, delivery)).toBe('ignored');
        expect(await apply(id, at(5), { kind: 'unknown' }, delivery)).toBe('duplicate');
        expect(await instance(id)).toMatchObject({
          status: 'installed',
          statusAt: at(1),
          plan: null,
          planAt: null,
        });
      });
    });

    describe('purgeRemovedInstances', () => {
      // Each test has its own era, far before every other test's events, and eras get earlier
      // test by test: a purge reaches only its own test's rows (and leftovers of a failed run).
      const era = (start: string) => {
        const base = new Date(start).getTime();
        return (minutes: number) => new Date(base + minutes * MINUTE);
      };

      /** An instance with settings, an app token and deliveries, removed at `removedAt`. */
      async function removedWithData(installedAt: Date, removedAt: Date) {
        const id = randomUUID();
        const installDelivery = randomUUID();
        await apply(id, installedAt, installed(), installDelivery);
        await saveFirst(id, { greeting: 'doomed' }, installedAt);
        await store().withAppTokenLock(id, async () => ({
          sealedToken: `sealed-${id}`,
          expiresAt: new Date(removedAt.getTime() + 4 * 3600_000),
        }));
        const removalDelivery = randomUUID();
        expect(await apply(id, removedAt, removed, removalDelivery)).toBe('applied');
        return { id, installDelivery, removalDelivery };
      }

      it('deletes instances removed before `before` with their settings, token and deliveries', async () => {
        const old = era('1988-06-01T00:00:00.000Z');
        await store().purgeRemovedInstances(old(1000)); // leftovers of an earlier failed run
        const a = await removedWithData(old(0), old(10));
        const b = await removedWithData(old(0), old(20));
        const kept = await removedWithData(old(0), old(40));

        expect(await store().purgeRemovedInstances(old(30))).toBe(2);

        for (const { id } of [a, b]) {
          expect(await store().getInstance(id)).toBeNull();
          expect(await store().getSettings(id)).toBeNull();
          expect(await store().readAppToken(id)).toBeNull();
        }
        expect(await status(kept.id)).toEqual({
          status: 'removed',
          statusAt: old(40),
          removedAt: old(40),
        });
        expect(await store().getSettings(kept.id)).toMatchObject({
          document: { greeting: 'doomed' },
        });
        expect(await store().readAppToken(kept.id)).not.toBeNull();
        // The kept instance's deliveries are still recorded; the purged ones' are gone, so the
        // very same delivery applies again instead of being a duplicate.
        expect(await apply(kept.id, old(0), installed(), kept.installDelivery)).toBe('duplicate');
        expect(await apply(a.id, old(10), removed, a.removalDelivery)).toBe('applied');
        expect(await store().purgeRemovedInstances(old(30))).toBe(1);
        expect(await store().purgeRemovedInstances(old(50))).toBe(1);
      });

      it('keeps an instance removed exactly at `before`', async () => {
        const old = era('1987-06-01T00:00:00.000Z');
        await store().purgeRemovedInstances(old(1000));
        const { id } = await removedWithData(old(0), old(100));
        expect(await store().purgeRemovedInstances(old(100))).toBe(0);
        expect((await status(id)).status).toBe('removed');
        expect(await store().purgeRemovedInstances(old(101))).toBe(1);
      });

      it('keeps installed, reinstalled and never-reported instances, whatever `before` says', async () => {
        const old = era('1986-06-01T00:00:00.000Z');
        await store().purgeRemovedInstances(old(1000));
        const isInstalled = randomUUID();
        await apply(isInstalled, old(200), installed());
        const reinstalled = randomUUID();
        await apply(reinstalled, old(200), installed());
        await apply(reinstalled, old(201), removed);
        await apply(reinstalled, old(202), installed());
        const unknown = randomUUID();
        await store().recordSeen(unknown, old(200), MINUTE);
        const unknownWithSettings = randomUUID();
        await saveFirst(unknownWithSettings, { greeting: 'no webhook yet' }, old(200));

        expect(await store().purgeRemovedInstances(old(300))).toBe(0);
        for (const id of [isInstalled, reinstalled, unknown, unknownWithSettings]) {
          expect(await store().getInstance(id)).not.toBeNull();
        }
        expect(await store().getSettings(unknownWithSettings)).not.toBeNull();
      });

      it('returns 0 when nothing was removed before `before`', async () => {
        expect(await store().purgeRemovedInstances(new Date('1970-01-02T00:00:00.000Z'))).toBe(0);
      });
    });
  });
}
