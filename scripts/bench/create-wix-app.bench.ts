/**
 * The bench build's stand-in for the package's entry (next.config.mjs aliases `wix-app-backend`
 * to it when WIX_BENCH_BUILD=1): the product's `createWixApp` with the bench-only public route
 * added to the app's public paths, and the bench-only bare fees route (server to server, like the
 * service-plugin entry it is measured against) to its server paths, so the bench-only paths never
 * appear in the product's gate.
 */
import {
  createWixApp as createProductApp,
  type WixApp,
  type WixAppDefinition,
} from '../../packages/wix-app-backend/src/create-wix-app';

export * from '../../packages/wix-app-backend/src/create-wix-app';

export function createWixApp(definition: WixAppDefinition = {}): WixApp {
  return createProductApp({
    ...definition,
    publicPaths: [...(definition.publicPaths ?? []), '/api/bench/floor'],
    serverPaths: [
      ...(definition.serverPaths ?? []),
      '/api/bench/bare-fees',
      '/api/bench/service-plugin-cost',
    ],
  });
}
