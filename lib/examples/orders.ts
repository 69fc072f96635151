/**
 * The example event handler: counts each site's `wix.ecom.v1.order_created` events. It is what
 * `GET /api/examples/orders` shows, and a template for a handler of your own: the effect goes in
 * `ctx.transaction`, so it happens once per Wix event however Wix delivers it.
 */
import { eq, sql } from 'drizzle-orm';
import { guardDatabase } from 'wix-app-backend/db/errors';
import { ordersSeen } from '../db/schema';
import type { TenantDb } from 'wix-app-backend/db/tenant';
import type { EventHandler } from 'wix-app-backend/events/handler';

/** Handles `wix.ecom.v1.order_created`: one more order seen for the event's site. */
export const countOrder: EventHandler = async (_event, ctx) => {
  await ctx.transaction(async (tenant) => {
    await tenant.db
      .insert(ordersSeen)
      .values({ instanceId: tenant.instanceId, count: 1 })
      .onConflictDoUpdate({
        target: ordersSeen.instanceId,
        set: { count: sql`${ordersSeen.count} + 1` },
      });
  });
};

/** How many orders the site has had since the app was installed (0 before the first). */
export async function readOrdersSeen(tenant: TenantDb): Promise<number> {
  const [row] = await guardDatabase(async () =>
    tenant.db
      .select({ count: ordersSeen.count })
      .from(ordersSeen)
      .where(eq(ordersSeen.instanceId, tenant.instanceId))
      .limit(1),
  );
  return row?.count ?? 0;
}
