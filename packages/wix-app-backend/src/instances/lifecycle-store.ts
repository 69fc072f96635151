/**
 * Applying lifecycle events idempotently and order-proof. Each delivery is recorded once (keyed
 * by its body's hash) in the same transaction as its effect, so a redelivery has no second
 * effect. Each change applies only if its event is newer than the one behind the current state,
 * so late or reordered deliveries end in the state of the newest event: an old AppInstalled
 * arriving after AppRemoved does not resurrect the instance. At equal times, removal wins.
 */
import { and, eq, isNull, lt, ne, or } from 'drizzle-orm';
import { guardDatabase } from '../db/errors';
import type { Db, Tx } from '../db/open-database';
import { instances, webhookEvents } from '../db/schema';
import type { LifecycleEnvelope } from './lifecycle-event';

export type LifecycleOutcome = 'applied' | 'stale' | 'ignored' | 'duplicate';

/** One webhook delivery: its id (a hash of its signed content), when it came, when it expires. */
export interface Delivery {
  id: string;
  receivedAt: Date;
  /** The JWT's `exp` (null or absent: unknown). */
  expiresAt?: Date | null;
  /**
   * Wix's own id of the event, when it has one: a second delivery carrying it — even freshly
   * signed, so with another `id` — is a duplicate too.
   */
  eventKey?: string | null;
}

export interface LifecycleStore {
  /**
   * Records the delivery once and applies its lifecycle event if it is newer than the state.
   * `alsoInTransaction` runs in the same transaction after a first recording (queueing the event
   * for a handler): a duplicate runs nothing, and a failure records nothing.
   */
  applyLifecycleEvent(
    envelope: LifecycleEnvelope,
    delivery: Delivery,
    alsoInTransaction?: (tx: Tx) => Promise<void>,
  ): Promise<LifecycleOutcome>;
  /**
   * Deletes the records of deliveries whose JWT expired before `before` (or, for records without
   * one, that arrived before it). A copy of such a delivery is refused by its `exp` anyway, so
   * the record no longer guards anything. Returns how many.
   */
  forgetDeliveries(before: Date): Promise<number>;
}

export interface LifecycleStoreOptions {
  /**
   * Runs inside the transaction of an applied `AppInstalled` that names an `originInstanceId`
   * (the site was duplicated): the place to start the copy from the original's data.
   */
  onInstalledFromOrigin?: SiteDuplicatedHook;
}

/**
 * A resource's copy to a duplicated site: runs in the transaction that applies the
 * `AppInstalled` carrying `originInstanceId`, so the copy lands with the install or not at all.
 * Copy only what the new site does not have yet (a redelivery runs it again).
 */
export type SiteDuplicatedHook = (
  tx: Tx,
  copy: { originInstanceId: string; instanceId: string; at: Date },
) => Promise<void>;

/**
 * Thrown inside the transaction of a delivery already recorded, to roll back the instance row it
 * inserted: a replay of a purged instance's delivery must not bring the instance back.
 */
class DuplicateDelivery extends Error {}

const duplicateOutcome = (error: unknown): LifecycleOutcome => {
  if (error instanceof DuplicateDelivery) return 'duplicate';
  throw error;
};

export function createLifecycleStore(db: Db, options: LifecycleStoreOptions = {}): LifecycleStore {
  return {
    applyLifecycleEvent: ({ instanceId, occurredAt: at, eventType, event }, delivery, also) =>
      guardDatabase(() =>
        db.transaction(async (tx) => {
          // The instance row first: the delivery record references it.
          await tx
            .insert(instances)
            .values({
              instanceId,
              firstSeenAt: delivery.receivedAt,
              lastSeenAt: delivery.receivedAt,
            })
            .onConflictDoNothing();
          const recorded = await tx
            .insert(webhookEvents)
            .values({
              deliveryId: delivery.id,
              eventType,
              instanceId,
              occurredAt: at,
              receivedAt: delivery.receivedAt,
              expiresAt: delivery.expiresAt ?? null,
              eventKey: delivery.eventKey ?? null,
              outcome: 'pending',
            })
            // On either key: the delivery id, or Wix's event id.
            .onConflictDoNothing()
            .returning({ id: webhookEvents.deliveryId });
          if (recorded.length === 0) throw new DuplicateDelivery();
          await also?.(tx);

          const newerStatus = or(isNull(instances.statusAt), lt(instances.statusAt, at));
          const newerPlan = or(isNull(instances.planAt), lt(instances.planAt, at));
          // Whether the plan renews keeps a clock of its own: a cancellation must not make an
          // older plan change stale, nor an older plan event turn a newer cancellation around.
          const newerRenewal = or(isNull(instances.planRenewalAt), lt(instances.planRenewalAt, at));
          const mine = eq(instances.instanceId, instanceId);

          let changed: unknown[] = [];
          switch (event.kind) {
            case 'installed':
              changed = await tx
                .update(instances)
                .set({ status: 'installed', statusAt: at, removedAt: null })
                .where(and(mine, newerStatus))
                .returning({ id: instances.instanceId });
              if (
                changed.length > 0 &&
                event.originInstanceId &&
                event.originInstanceId !== instanceId
              ) {
                await options.onInstalledFromOrigin?.(tx, {
                  originInstanceId: event.originInstanceId,
                  instanceId,
                  at: delivery.receivedAt,
                });
              }
              break;
            case 'removed':
              changed = await tx
                .update(instances)
                .set({ status: 'removed', statusAt: at, removedAt: at })
                .where(
                  and(
                    mine,
                    or(
                      newerStatus,
                      and(eq(instances.statusAt, at), ne(instances.status, 'removed')),
                    ),
                  ),
                )
                .returning({ id: instances.instanceId });
              break;
            case 'plan':
              changed = await tx
                .update(instances)
                .set({
                  plan: event.plan,
                  planCycle: event.cycle,
                  ...(event.keepExpiry ? {} : { planExpiresAt: event.expiresAt }),
                  planAt: at,
                })
                .where(and(mine, newerPlan))
                .returning({ id: instances.instanceId });
              if (!event.keepExpiry) {
                changed.push(
                  ...(await tx
                    .update(instances)
                    .set({ planAutoRenews: true, planRenewalAt: at })
                    .where(and(mine, newerRenewal))
                    .returning({ id: instances.instanceId })),
                );
              }
              break;
            case 'auto_renew_cancelled':
              changed = await tx
                .update(instances)
                .set({ planAutoRenews: false, planRenewalAt: at })
                .where(and(mine, newerRenewal))
                .returning({ id: instances.instanceId });
              break;
            case 'unknown':
              break;
          }
          const outcome: LifecycleOutcome =
            event.kind === 'unknown' ? 'ignored' : changed.length > 0 ? 'applied' : 'stale';
          await tx
            .update(webhookEvents)
            .set({ outcome })
            .where(eq(webhookEvents.deliveryId, delivery.id));
          return outcome;
        }),
      ).catch(duplicateOutcome),

    forgetDeliveries: (before) =>
      guardDatabase(async () => {
        const forgotten = await db
          .delete(webhookEvents)
          .where(
            or(
              lt(webhookEvents.expiresAt, before),
              and(isNull(webhookEvents.expiresAt), lt(webhookEvents.receivedAt, before)),
            ),
          )
          .returning({ id: webhookEvents.deliveryId });
        return forgotten.length;
      }),
  };
}
