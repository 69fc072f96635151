/**
 * This app's part of the machinery: what it hands the context in lib/app/context.ts. Everything
 * an app adds that the machinery must call goes here, and nowhere else:
 *
 * - `eventHandlers`: one entry per Wix event type you subscribed to in the app dashboard
 *   (Webhooks). A type with no entry is still verified, recorded once and answered 200 — it just
 *   has no effect here. Names are Wix's: the app-instance events by their short names
 *   (`AppInstalled`, `PaidPlanPurchased`, …), every other event by its fully qualified name
 *   (`wix.ecom.v1.order_created`, `wix.contacts.v4.contact_created`, …). How to write one:
 *   packages/wix-app-backend/src/events/handler.ts, and "Reacting to Wix events" in docs/webhooks-and-events.md.
 * - `onSiteDuplicated`: each resource that a duplicated site should start with a copy of
 *   registers its copy here (packages/wix-app-backend/src/instances/lifecycle-store.ts, `SiteDuplicatedHook`); they run
 *   in order, in the transaction that applies the new site's `AppInstalled`.
 */
import type { EventHandlers } from 'wix-app-backend/events/handler';
import type { SiteDuplicatedHook } from 'wix-app-backend/instances/lifecycle-store';
import { countOrder } from './examples/orders';
import { copySettingsToDuplicate } from './settings/settings-store';

export interface WixAppDefinition {
  readonly eventHandlers: EventHandlers;
  readonly onSiteDuplicated: readonly SiteDuplicatedHook[];
}

export const wixApp: WixAppDefinition = {
  eventHandlers: {
    'wix.ecom.v1.order_created': countOrder,
  },
  onSiteDuplicated: [copySettingsToDuplicate],
};
