/**
 * Applying lifecycle events idempotently and order-proof. Each delivery is recorded once (keyed
 * by its body's hash) in the same transaction as its effect, so a redelivery has no second
 * effect. Each change applies only if its event is newer than the one behind the current state,
 * so late or reordered deliveries end in the state of the newest event: an old AppInstalled
 * arriving after AppRemoved does not resurrect the instance. At equal times, removal wins.
 */
import { and, eq, inArray, isNull, lt, ne, or } from 'drizzle-orm';
import type { LifecycleEnvelope } from '../webhooks/lifecycle-event';
import { guardDatabase } from './errors';
import type { Db } from './open-database';
import { instances, settings, webhookEvents, wixAppTokens } from './schema';

export type LifecycleOutcome = 'applied' | 'stale' | 'ignored' | 'duplicate';

export interface LifecycleStore {
  applyLifecycleEvent(
    envelope: LifecycleEnvelope,
    delivery: { id: string; receivedAt: Date },
  ): Promise<LifecycleOutcome>;
  /** Deletes everything of instances removed before `before`; returns how many. */
  purgeRemovedInstances(before: Date): Promise<number>;
}

export function createLifecycleStore(db: Db): LifecycleStore {
  return {
    applyLifecycleEvent: ({ instanceId, occurredAt: at, eventType, event }, delivery) =>
      guardDatabase(() =>
        db.transaction(async (tx) => {
          const recorded = await tx
            .insert(webhookEvents)
            .values({
              deliveryId: delivery.id,
              eventType,
              instanceId,
              occurredAt: at,
              receivedAt: delivery.receivedAt,
              outcome: 'pending',
            })
            .onConflictDoNothing()
            .returning({ id: webhookEvents.deliveryId });
          if (recorded.length === 0) return 'duplicate';

          await tx
            .insert(instances)
            .values({
              instanceId,
              firstSeenAt: delivery.receivedAt,
              lastSeenAt: delivery.receivedAt,
            })
            .onConflictDoNothing();
          const newerStatus = or(isNull(instances.statusAt), lt(instances.statusAt, at));
          const newerPlan = or(isNull(instances.planAt), lt(instances.planAt, at));
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
                // A duplicated site starts from a copy of the original's settings (if it has none).
                // (Through the query builder: a raw Date parameter breaks postgres.js.)
                const origin = await tx
                  .select({ document: settings.document })
                  .from(settings)
                  .where(eq(settings.instanceId, event.originInstanceId))
                  .limit(1);
                if (origin[0]) {
                  await tx
                    .insert(settings)
                    .values({
                      instanceId,
                      document: origin[0].document,
                      version: 1,
                      updatedAt: delivery.receivedAt,
                      updatedBy: 'copied-from-original-site',
                    })
                    .onConflictDoNothing();
                }
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
                  planExpiresAt: event.expiresAt,
                  planAutoRenews: true,
                  planAt: at,
                })
                .where(and(mine, newerPlan))
                .returning({ id: instances.instanceId });
              break;
            case 'auto_renew_cancelled':
              changed = await tx
                .update(instances)
                .set({ planAutoRenews: false, planAt: at })
                .where(and(mine, newerPlan))
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
      ),

    purgeRemovedInstances: (before) =>
      guardDatabase(() =>
        db.transaction(async (tx) => {
          const doomed = (
            await tx
              .select({ id: instances.instanceId })
              .from(instances)
              .where(and(eq(instances.status, 'removed'), lt(instances.removedAt, before)))
          ).map((row) => row.id);
          if (doomed.length === 0) return 0;
          await tx.delete(wixAppTokens).where(inArray(wixAppTokens.instanceId, doomed));
          await tx.delete(webhookEvents).where(inArray(webhookEvents.instanceId, doomed));
          await tx.delete(settings).where(inArray(settings.instanceId, doomed));
          await tx.delete(instances).where(inArray(instances.instanceId, doomed));
          return doomed.length;
        }),
      ),
  };
}
