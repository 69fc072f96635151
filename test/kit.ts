/**
 * The test kit (wix-app-backend/testing), bound to this app: `createTestApp()` builds a context
 * with lib/wix-app.ts's migrations, event handlers, duplicate-site copies and public/server paths, so a
 * route test here serves exactly what production serves. Everything else is the package's —
 * see docs/testing.md for what the kit offers.
 */
import { wixApp } from '@/lib/wix-app';
import { migrationSets } from 'wix-app-backend/db/migrate';
import {
  createTestApp as createKitTestApp,
  type TestApp,
  type TestAppOptions,
} from 'wix-app-backend/testing';

export * from 'wix-app-backend/testing';

/** The machinery's migrations and this app's: for a test that opens a database by hand. */
export const APP_MIGRATIONS = migrationSets(wixApp.definition.migrations);

/** A test app of this app; call `close()` when done. */
export function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  return createKitTestApp({ app: wixApp, ...options });
}
