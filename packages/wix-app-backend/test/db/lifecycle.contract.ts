/**
 * The contract for applying lifecycle webhooks and purging removed instances through the composed
 * database (`applyLifecycleEvent`, `purgeRemovedInstances` in src/app/database.ts), run on every
 * engine like database.contract.ts. Every test uses fresh random instance ids; purge tests use
 * their own eras (the 1980s) and never a `before` that would reach another test's rows, so runs
 * against one shared PostgreSQL never collide.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { webhookEvents } from '../../src/db/schema';
import type { InstanceRecord, ObservedPlan } from '../../src/instances/instances-store';
import type { LifecycleEnvelope, LifecycleEvent } from '../../src/instances/lifecycle-event';
import type { LifecycleOutcome } from '../../src/instances/lifecycle-store';
import { runConcurrently, useAppDatabase, type ContractDatabase } from './database.contract';

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

export function lifecycleContract(name: string, open: () => Promise<ContractDatabase>): void {
  describe(`Lifecycle contract: ${name}`, () => {
    const database = useAppDatabase(open);

    /** Applies one delivery (a fresh delivery id unless given), received when it happened. */
    const apply = (
      instanceId: string,
      occurredAt: Date,
      event: LifecycleEvent,
      deliveryId: string = randomUUID(),
      receivedAt: Date = occurredAt,
    ): Promise<LifecycleOutcome> =>
      database().applyLifecycleEvent(envelope(instanceId, occurredAt, event), {
        id: deliveryId,
        receivedAt,
      });

    const instance = async (instanceId: string): Promise<InstanceRecord> => {
      const record = await database().instances.getInstance(instanceId);
      if (!record) throw new Error(`instance ${instanceId} has no row`);
      return record;
    };
    const status = async (instanceId: string) => {
      const { status, statusAt, removedAt } = await instance(instanceId);
      return { status, statusAt, removedAt };
    };
    const planOf = async (instanceId: string) => {
      const { plan, planCycle, planExpiresAt, planAutoRenews, planAt, planRenewalAt } =
        await instance(instanceId);
      return { plan, planCycle, planExpiresAt, planAutoRenews, planAt, planRenewalAt };
    };
    /** Records a sighting at `when` (what `app.authenticate` does), then saves document version 1. */
    const saveFirst = async (instanceId: string, document: unknown, when = T0) => {
      await database().instances.recordSeen(instanceId, when.getTime());
      const saved = await database().documents.saveDocument(instanceId, {
        document,
        expectedVersion: 0,
        updatedBy: 'owner-1',
        at: when,
      });
      expect(saved.ok).toBe(true);
    };

    // Each test has its own era, far before every other test's events, and eras get earlier
    // test by test: a purge reaches only its own test's rows (and leftovers of a failed run).
    const era = (start: string) => {
      const base = new Date(start).getTime();
      return (minutes: number) => new Date(base + minutes * MINUTE);
    };

    /** An instance with a document, an app token and deliveries, removed at `removedAt`. */
    async function removedWithData(installedAt: Date, removedAt: Date) {
      const id = randomUUID();
      const installDelivery = randomUUID();
      await apply(id, installedAt, installed(), installDelivery);
      await saveFirst(id, { greeting: 'doomed' }, installedAt);
      await database().appTokens.withAppTokenLock(id, async () => ({
        sealedToken: `sealed-${id}`,
        expiresAt: new Date(removedAt.getTime() + 4 * 3600_000),
      }));
      const removalDelivery = randomUUID();
      expect(await apply(id, removedAt, removed, removalDelivery)).toBe('applied');
      return { id, installDelivery, removalDelivery };
    }

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
        await database().instances.recordSeen(id, at(-60).getTime());
        await apply(id, at(1), installed());
        expect(await instance(id)).toMatchObject({ firstSeenAt: at(-60), status: 'installed' });
      });

      it('reinstalls a removed instance on a newer install, keeping its document', async () => {
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
        expect(await database().documents.getDocument(id)).toEqual({
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

      it('takes Wix’s event id as seen per instance: another site’s event with the same id is new', async () => {
        const [siteA, siteB] = [randomUUID(), randomUUID()];
        const eventKey = `evt-${randomUUID()}`;
        const deliver = (instanceId: string) =>
          database().applyLifecycleEvent(envelope(instanceId, at(1), plan('gold')), {
            id: randomUUID(),
            receivedAt: at(1),
            eventKey,
          });
        expect(await deliver(siteA)).toBe('applied');
        expect(await deliver(siteB)).toBe('applied');
        // Freshly signed copies (new delivery ids) are still duplicates, each for its own site.
        expect(await deliver(siteA)).toBe('duplicate');
        expect(await deliver(siteB)).toBe('duplicate');
        expect((await planOf(siteB)).plan).toBe('gold');
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
          planRenewalAt: at(1),
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
          planAt: at(1),
          planRenewalAt: at(5),
        });
        // Newer than the plan it replaces, so its plan applies; older than the cancellation, so
        // renewal stays off.
        const later = new Date(expires.getTime() + DAY);
        expect(await apply(id, at(3), plan('platinum', later))).toBe('applied');
        expect(await planOf(id)).toEqual({
          plan: 'platinum',
          planCycle: 'MONTHLY',
          planExpiresAt: later,
          planAutoRenews: false,
          planAt: at(3),
          planRenewalAt: at(5),
        });
        expect(await apply(id, at(2), plan('gold', expires))).toBe('stale');
        expect(await planOf(id)).toMatchObject({ plan: 'platinum', planAutoRenews: false });
      });

      it('keeps a cancellation that arrives before the purchase it cancels', async () => {
        const id = randomUUID();
        const expires = new Date(T0.getTime() + 30 * DAY);
        expect(await apply(id, at(5), autoRenewCancelled)).toBe('applied');
        expect(await apply(id, at(1), plan('gold', expires))).toBe('applied');
        expect(await planOf(id)).toEqual({
          plan: 'gold',
          planCycle: 'MONTHLY',
          planExpiresAt: expires,
          planAutoRenews: false,
          planAt: at(1),
          planRenewalAt: at(5),
        });
      });

      it('ends on the newest plan and the newest word on renewal, whatever order the events arrive in', async () => {
        const silver = new Date(T0.getTime() + 10 * DAY);
        const gold = new Date(T0.getTime() + 20 * DAY);
        const events: [Date, LifecycleEvent][] = [
          [at(1), plan('silver', silver)],
          [at(2), plan('gold', gold, 'YEARLY')],
          [at(3), autoRenewCancelled],
        ];
        const orders = [
          [0, 1, 2],
          [0, 2, 1],
          [1, 0, 2],
          [1, 2, 0],
          [2, 0, 1],
          [2, 1, 0],
        ];
        for (const order of orders) {
          const id = randomUUID();
          for (const i of order) await apply(id, ...events[i]!);
          expect(await planOf(id), `order ${order.join(', ')}`).toEqual({
            plan: 'gold',
            planCycle: 'YEARLY',
            planExpiresAt: gold,
            planAutoRenews: false,
            planAt: at(2),
            planRenewalAt: at(3),
          });
        }
      });

      it('leaves renewal alone on PlanTransferred, which keeps the expiry too', async () => {
        const id = randomUUID();
        const expires = new Date(T0.getTime() + 30 * DAY);
        await apply(id, at(1), plan('gold', expires));
        await apply(id, at(2), autoRenewCancelled);
        const transferred: LifecycleEvent = {
          kind: 'plan',
          plan: 'gold',
          cycle: 'YEARLY',
          expiresAt: null,
          keepExpiry: true,
        };
        expect(await apply(id, at(3), transferred)).toBe('applied');
        expect(await planOf(id)).toEqual({
          plan: 'gold',
          planCycle: 'YEARLY',
          planExpiresAt: expires,
          planAutoRenews: false,
          planAt: at(3),
          planRenewalAt: at(2),
        });
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

    describe('instances: recordPlan (the plan as Get App Instance reports it)', () => {
      const gold: ObservedPlan = {
        plan: 'gold',
        cycle: 'YEARLY',
        expiresAt: new Date(T0.getTime() + 365 * DAY),
        autoRenews: true,
      };
      const record = (id: string, when: Date, observed = gold) =>
        database().instances.recordPlan(id, observed, when);

      it('records the plan, its renewal, and when, and answers the row', async () => {
        const id = randomUUID();
        await database().instances.recordSeen(id, T0.getTime());
        expect(await record(id, at(5))).toMatchObject({
          plan: 'gold',
          planCycle: 'YEARLY',
          planExpiresAt: gold.expiresAt,
          planAutoRenews: true,
          planAt: at(5),
          planRenewalAt: at(5),
        });
      });

      it('answers null for an instance it has no row for', async () => {
        expect(await record(randomUUID(), at(5))).toBeNull();
      });

      it('changes nothing an event newer than the report set, and older events do not undo it', async () => {
        const id = randomUUID();
        await apply(id, at(10), plan('silver'));
        expect(await record(id, at(5))).toMatchObject({ plan: 'silver', planAt: at(10) });
        await apply(id, at(20), autoRenewCancelled);
        expect(await record(id, at(15))).toMatchObject({
          plan: 'gold',
          planAt: at(15),
          planAutoRenews: false,
          planRenewalAt: at(20),
        });
        expect(await apply(id, at(12), plan('platinum'))).toBe('stale');
        expect(await planOf(id)).toMatchObject({ plan: 'gold', planAutoRenews: false });
      });

      it('records the free plan Wix reports after a newer report of a paid one', async () => {
        const id = randomUUID();
        await apply(id, at(1), plan('gold'));
        const free = { plan: null, cycle: null, expiresAt: null, autoRenews: null };
        expect(await record(id, at(2), free)).toMatchObject({
          plan: null,
          planCycle: null,
          planExpiresAt: null,
          planAutoRenews: null,
        });
      });
    });

    describe('duplicated sites (originInstanceId)', () => {
      it('gives the new instance a copy of the original document, at version 1', async () => {
        const origin = randomUUID();
        const copy = randomUUID();
        await saveFirst(origin, { greeting: 'v1' }, at(1));
        const again = await database().documents.saveDocument(origin, {
          document: { greeting: 'original', nested: { list: [1, 2] } },
          expectedVersion: 1,
          updatedBy: 'owner-1',
          at: at(2),
        });
        expect(again).toMatchObject({ ok: true, version: 2 });
        const before = await database().documents.getDocument(origin);

        expect(await apply(copy, at(5), installed(origin), randomUUID(), at(6))).toBe('applied');
        expect(await database().documents.getDocument(copy)).toEqual({
          document: { greeting: 'original', nested: { list: [1, 2] } },
          version: 1,
          updatedAt: at(6),
          updatedBy: 'copied-from-original-site',
        });
        expect(await database().documents.getDocument(origin)).toEqual(before);
        expect(await status(origin)).toEqual({ status: null, statusAt: null, removedAt: null });
        expect(await status(copy)).toEqual({
          status: 'installed',
          statusAt: at(5),
          removedAt: null,
        });
      });

      it('keeps a document the new instance already has', async () => {
        const origin = randomUUID();
        const copy = randomUUID();
        await saveFirst(origin, { greeting: 'original' });
        await saveFirst(copy, { greeting: 'mine' });
        expect(await apply(copy, at(5), installed(origin))).toBe('applied');
        expect(await database().documents.getDocument(copy)).toMatchObject({
          document: { greeting: 'mine' },
          version: 1,
          updatedBy: 'owner-1',
        });
      });

      it('copies nothing when the original never saved a document', async () => {
        const copy = randomUUID();
        expect(await apply(copy, at(5), installed(randomUUID()))).toBe('applied');
        expect(await database().documents.getDocument(copy)).toBeNull();
      });

      it('copies nothing from a stale install', async () => {
        const origin = randomUUID();
        const copy = randomUUID();
        await saveFirst(origin, { greeting: 'original' });
        await apply(copy, at(9), removed);
        expect(await apply(copy, at(5), installed(origin))).toBe('stale');
        expect(await database().documents.getDocument(copy)).toBeNull();
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
      const deliveryRecord = async (deliveryId: string) => {
        const rows = await database()
          .db.select({ instanceId: webhookEvents.instanceId, outcome: webhookEvents.outcome })
          .from(webhookEvents)
          .where(eq(webhookEvents.deliveryId, deliveryId));
        return rows[0] ?? null;
      };

      it('deletes instances removed before `before` with their document and token, unlinking their deliveries', async () => {
        const old = era('1988-06-01T00:00:00.000Z');
        await database().purgeRemovedInstances(old(1000)); // leftovers of an earlier failed run
        const a = await removedWithData(old(0), old(10));
        const b = await removedWithData(old(0), old(20));
        const kept = await removedWithData(old(0), old(40));

        expect(await database().purgeRemovedInstances(old(30))).toBe(2);

        for (const { id, installDelivery, removalDelivery } of [a, b]) {
          expect(await database().instances.getInstance(id)).toBeNull();
          expect(await database().documents.getDocument(id)).toBeNull();
          expect(await database().appTokens.readAppToken(id)).toBeNull();
          // The delivery records stay, naming no site any more.
          expect(await deliveryRecord(installDelivery)).toEqual({
            instanceId: null,
            outcome: 'applied',
          });
          expect(await deliveryRecord(removalDelivery)).toEqual({
            instanceId: null,
            outcome: 'applied',
          });
        }
        expect(await status(kept.id)).toEqual({
          status: 'removed',
          statusAt: old(40),
          removedAt: old(40),
        });
        expect(await database().documents.getDocument(kept.id)).toMatchObject({
          document: { greeting: 'doomed' },
        });
        expect(await database().appTokens.readAppToken(kept.id)).not.toBeNull();
        expect(await deliveryRecord(kept.installDelivery)).toMatchObject({ instanceId: kept.id });
        expect(await database().purgeRemovedInstances(old(30))).toBe(0);
        expect(await database().purgeRemovedInstances(old(50))).toBe(1);
      });

      it('answers duplicate for a replayed delivery of a purged instance, and does not bring it back', async () => {
        const old = era('1988-01-01T00:00:00.000Z');
        await database().purgeRemovedInstances(old(1000));
        const a = await removedWithData(old(0), old(10));
        expect(await database().purgeRemovedInstances(old(30))).toBe(1);

        expect(await apply(a.id, old(10), removed, a.removalDelivery)).toBe('duplicate');
        expect(await apply(a.id, old(0), installed(), a.installDelivery)).toBe('duplicate');
        expect(await database().instances.getInstance(a.id)).toBeNull();
        expect(await deliveryRecord(a.removalDelivery)).toEqual({
          instanceId: null,
          outcome: 'applied',
        });
      });

      it('keeps an instance removed exactly at `before`', async () => {
        const old = era('1987-06-01T00:00:00.000Z');
        await database().purgeRemovedInstances(old(1000));
        const { id } = await removedWithData(old(0), old(100));
        expect(await database().purgeRemovedInstances(old(100))).toBe(0);
        expect((await status(id)).status).toBe('removed');
        expect(await database().purgeRemovedInstances(old(101))).toBe(1);
      });

      it('keeps installed, reinstalled and never-reported instances, whatever `before` says', async () => {
        const old = era('1986-06-01T00:00:00.000Z');
        await database().purgeRemovedInstances(old(1000));
        const isInstalled = randomUUID();
        await apply(isInstalled, old(200), installed());
        const reinstalled = randomUUID();
        await apply(reinstalled, old(200), installed());
        await apply(reinstalled, old(201), removed);
        await apply(reinstalled, old(202), installed());
        const unknown = randomUUID();
        await database().instances.recordSeen(unknown, old(200).getTime());
        const unknownWithDocument = randomUUID();
        await saveFirst(unknownWithDocument, { greeting: 'no webhook yet' }, old(200));

        expect(await database().purgeRemovedInstances(old(300))).toBe(0);
        for (const id of [isInstalled, reinstalled, unknown, unknownWithDocument]) {
          expect(await database().instances.getInstance(id)).not.toBeNull();
        }
        expect(await database().documents.getDocument(unknownWithDocument)).not.toBeNull();
      });

      it('returns 0 when nothing was removed before `before`', async () => {
        expect(await database().purgeRemovedInstances(new Date('1970-01-02T00:00:00.000Z'))).toBe(
          0,
        );
      });
    });

    // Every delivery record here lives in 1976, before every other test's era; a cut-off in 1976
    // reaches no other test's records, on a PostgreSQL shared by several test files too.
    describe('forgetDeliveries', () => {
      const old = era('1976-01-01T00:00:00.000Z');
      const CUT_OFF = old(1000);

      /** Records an install of a fresh instance through one delivery; returns the delivery id. */
      const record = async (receivedAt: Date, expiresAt: Date | null) => {
        const id = randomUUID();
        expect(
          await database().applyLifecycleEvent(envelope(randomUUID(), receivedAt, installed()), {
            id,
            receivedAt,
            expiresAt,
          }),
        ).toBe('applied');
        return id;
      };
      const stored = async (deliveryId: string) => {
        const rows = await database()
          .db.select({ expiresAt: webhookEvents.expiresAt })
          .from(webhookEvents)
          .where(eq(webhookEvents.deliveryId, deliveryId));
        return rows[0] ?? null;
      };

      it('keeps the JWT’s expiry with the record of a delivery', async () => {
        const id = await record(old(0), old(60));
        expect(await stored(id)).toEqual({ expiresAt: old(60) });
        expect(await stored(await record(old(0), null))).toEqual({ expiresAt: null });
      });

      it('deletes the records that expired before the cut-off, or arrived before it without an expiry', async () => {
        await database().forgetDeliveries(old(100_000)); // leftovers of an earlier run, this era only
        const expired = await record(old(0), old(60));
        const expiredJustBefore = await record(old(900), new Date(CUT_OFF.getTime() - 1));
        const oldWithoutExpiry = await record(old(10), null);
        const expiresAfter = await record(old(0), old(2000));
        const expiresAtTheCutOff = await record(old(0), CUT_OFF);
        const newWithoutExpiry = await record(old(1500), null);

        expect(await database().forgetDeliveries(CUT_OFF)).toBe(3);

        for (const gone of [expired, expiredJustBefore, oldWithoutExpiry]) {
          expect(await stored(gone)).toBeNull();
        }
        // Received before the cut-off, but its JWT is good until after it: still a guard.
        expect(await stored(expiresAfter)).toEqual({ expiresAt: old(2000) });
        expect(await stored(expiresAtTheCutOff)).toEqual({ expiresAt: CUT_OFF });
        expect(await stored(newWithoutExpiry)).toEqual({ expiresAt: null });
        expect(await database().forgetDeliveries(CUT_OFF)).toBe(0);
      });

      it('no longer answers duplicate for a forgotten delivery, and still does for a kept one', async () => {
        await database().forgetDeliveries(old(100_000));
        const instanceId = randomUUID();
        const forgotten = randomUUID();
        const kept = randomUUID();
        const deliver = (deliveryId: string, at: Date, expiresAt: Date) =>
          database().applyLifecycleEvent(envelope(instanceId, at, installed()), {
            id: deliveryId,
            receivedAt: at,
            expiresAt,
          });
        expect(await deliver(forgotten, old(0), old(60))).toBe('applied');
        expect(await deliver(kept, old(5), old(2000))).toBe('applied');
        expect(await database().forgetDeliveries(CUT_OFF)).toBe(1);

        // Only the JWT's exp guards against a copy of the forgotten one now (the webhook route).
        expect(await deliver(forgotten, old(0), old(60))).not.toBe('duplicate');
        expect(await deliver(kept, old(5), old(2000))).toBe('duplicate');
      });

      it('leaves the instances the forgotten deliveries named alone', async () => {
        await database().forgetDeliveries(old(100_000));
        const instanceId = randomUUID();
        await database().applyLifecycleEvent(envelope(instanceId, old(0), installed()), {
          id: randomUUID(),
          receivedAt: old(0),
          expiresAt: old(60),
        });
        expect(await database().forgetDeliveries(CUT_OFF)).toBe(1);
        expect(await status(instanceId)).toEqual({
          status: 'installed',
          statusAt: old(0),
          removedAt: null,
        });
      });
    });

    // This process remembers sightings (the instances memo) and, on PGlite, document reads (the
    // fixture resource's read cache, listening to `onInstanceChanged` as an app's would). A
    // lifecycle event or a purge changes rows behind both; the composition makes them forget, so
    // the next request sees the database's state.
    describe('what this process remembers, after a change behind it', () => {
      it('serves the new status after an applied removal and reinstall, not the remembered sighting', async () => {
        const id = randomUUID();
        const seenAt = (seconds: number) =>
          database().instances.recordSeen(id, T0.getTime() + seconds * 1000);
        expect(await seenAt(0)).toMatchObject({ status: null });
        expect(await seenAt(1)).toMatchObject({ status: null });

        expect(await apply(id, at(-10), removed)).toBe('applied');
        expect(await seenAt(2)).toMatchObject({ status: 'removed', removedAt: at(-10) });

        expect(await apply(id, at(-5), installed())).toBe('applied');
        expect(await seenAt(3)).toMatchObject({ status: 'installed', removedAt: null });
      });

      it('serves the new plan after an applied plan event', async () => {
        const id = randomUUID();
        await database().instances.recordSeen(id, T0.getTime());
        expect(await apply(id, at(-10), plan('gold'))).toBe('applied');
        expect(await database().instances.recordSeen(id, T0.getTime() + 1000)).toMatchObject({
          plan: 'gold',
          planAutoRenews: true,
        });
      });

      it('reads the document a clone copied, though it read none just before', async () => {
        const origin = randomUUID();
        const copy = randomUUID();
        await saveFirst(origin, { greeting: 'from the original site' });
        await database().instances.recordSeen(copy, T0.getTime());
        expect(await database().documents.getDocument(copy)).toBeNull();
        expect(await database().documents.getDocument(copy)).toBeNull();

        expect(await apply(copy, at(5), installed(origin), randomUUID(), at(6))).toBe('applied');

        expect(await database().documents.getDocument(copy)).toMatchObject({
          document: { greeting: 'from the original site' },
          version: 1,
          updatedBy: 'copied-from-original-site',
        });
      });

      it('reads no document for a purged instance whose document it read before', async () => {
        const old = era('1985-06-01T00:00:00.000Z');
        await database().purgeRemovedInstances(old(1000));
        const { id } = await removedWithData(old(0), old(10));
        expect(await database().documents.getDocument(id)).toMatchObject({
          document: { greeting: 'doomed' },
        });
        expect(await database().documents.getDocument(id)).not.toBeNull();

        expect(await database().purgeRemovedInstances(old(30))).toBe(1);

        expect(await database().documents.getDocument(id)).toBeNull();
      });

      it('records a purged instance afresh when it is seen again inside the interval', async () => {
        const old = era('1985-01-01T00:00:00.000Z');
        await database().purgeRemovedInstances(old(1000));
        const { id } = await removedWithData(old(0), old(10));
        const sighting = old(20).getTime();
        expect(await database().instances.recordSeen(id, sighting)).toMatchObject({
          status: 'removed',
        });

        expect(await database().purgeRemovedInstances(old(30))).toBe(1);

        const fresh = await database().instances.recordSeen(id, sighting + 1000);
        expect(fresh).toMatchObject({ status: null, removedAt: null, plan: null });
        expect(await database().instances.getInstance(id)).toEqual(fresh);
        // The row is really there again: per-instance rows can reference it.
        const saved = await database().documents.saveDocument(id, {
          document: { greeting: 'back again' },
          expectedVersion: 0,
          updatedBy: 'owner-1',
          at: old(21),
        });
        expect(saved).toMatchObject({ ok: true, version: 1 });
      });

      it('keeps remembering after a duplicate or stale delivery, which changed nothing', async () => {
        const id = randomUUID();
        const delivery = randomUUID();
        expect(await apply(id, at(-10), removed, delivery)).toBe('applied');
        expect(await database().instances.recordSeen(id, T0.getTime())).toMatchObject({
          status: 'removed',
        });
        expect(await apply(id, at(-10), removed, delivery)).toBe('duplicate');
        expect(await apply(id, at(-20), installed())).toBe('stale');
        const writes = vi.spyOn(database().db, 'insert');
        expect(await database().instances.recordSeen(id, T0.getTime() + 1000)).toMatchObject({
          status: 'removed',
        });
        expect(writes).not.toHaveBeenCalled();
      });
    });
  });
}
