/**
 * Your event handlers: one entry per Wix event type you subscribed to in the app dashboard
 * (Webhooks). This is the one place events are routed; nothing else needs registering. A type
 * with no entry is still verified, recorded once and answered 200 — it just has no effect here.
 *
 * Names are Wix's: the app-instance events by their short names (`AppInstalled`,
 * `PaidPlanPurchased`, …), every other event by its fully qualified name
 * (`wix.ecom.v1.order_created`, `wix.contacts.v4.contact_created`, …).
 * How to write one: lib/events/handler.ts, and the README's "Reacting to Wix events". (Here, in
 * the composition root, so the handlers may use any module.)
 */
import type { EventHandlers } from '../events/handler';
import { countOrder } from '../examples/orders';

export const eventHandlers: EventHandlers = {
  'wix.ecom.v1.order_created': countOrder,
};
