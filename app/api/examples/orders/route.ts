import { readOrdersSeen } from '@/lib/examples/orders';
import { json, route } from '@/lib/wix-app';

/**
 * Example of an event handler's effect: how many `wix.ecom.v1.order_created` events the
 * caller's site has had, each counted once (lib/examples/orders.ts).
 */
export const GET = route(async (request, app) => {
  const { tenant } = await app.authenticate(request);
  return json({ ordersSeen: await readOrdersSeen(tenant) });
});
