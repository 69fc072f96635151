/**
 * This app, made from the machinery: the one server file that says everything the package must
 * know of the app. Routes import `route` / `publicRoute` / `serverRoute` from here, middleware.ts
 * its `middleware`, instrumentation.ts its `register`, tests `wixApp` (test/kit.ts).
 *
 * - `migrations`: the folder `npm run db:generate` writes lib/db/schema.ts's migrations to,
 *   applied after the machinery's at startup.
 * - `eventHandlers`: one entry per Wix event type you subscribed to in the app dashboard
 *   (Webhooks); "Reacting to Wix events" in docs/webhooks-and-events.md.
 * - `onSiteDuplicated`: each resource a duplicated site should start with a copy of registers
 *   its copy here; they run in order, in the transaction that applies the new site's
 *   `AppInstalled` (docs/adding-a-route.md, step 5).
 * - `publicPaths` / `serverPaths`: the only /api paths that need no Wix credential. Every other
 *   path — any route you add — needs a verified instance or access token. test/app/api/
 *   route-inventory.test.ts fails until these lists and the route files' wrappers agree.
 * - `servicePlugins`: the service plugins Wix calls at checkout, one entry per plugin with its
 *   handlers (docs/service-plugins.md); each extension's deploymentUri is
 *   https://<host>/api/service-plugins.
 */
import { createWixApp } from 'wix-app-backend';
import { countOrder } from './examples/orders';
import { handlingFee } from './service-plugins/fees';
import { siteGiftCards } from './service-plugins/gift-cards';
import { rateTable } from './service-plugins/shipping';
import { maxQuantity } from './service-plugins/validations';
import { copySettingsToDuplicate } from './settings/settings-store';

export const wixApp = createWixApp({
  // lib/db/schema.ts's migrations (npm run db:generate writes them here).
  migrations: 'lib/db/migrations',
  eventHandlers: {
    'wix.ecom.v1.order_created': countOrder,
  },
  onSiteDuplicated: [copySettingsToDuplicate],
  servicePlugins: [handlingFee, rateTable, maxQuantity, siteGiftCards],
  publicPaths: [
    '/api/health',
    // The demo's development tools (app/(demo)/api/dev; 404 unless on the dev credentials).
    // Delete these four lines with the demo (docs/architecture.md, "Removing the demo").
    '/api/dev/instance',
    '/api/dev/access-token',
    '/api/dev/webhook',
    '/api/dev/service-plugin',
  ],
  // `/*`: every path under it, for the one catch-all route that verifies each call's signature.
  serverPaths: [
    '/api/webhooks/wix',
    '/api/cron/purge',
    '/api/cron/events',
    '/api/service-plugins/*',
  ],
});

export const { route, publicRoute, serverRoute } = wixApp;
export { json, noContent } from 'wix-app-backend';
