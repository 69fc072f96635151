/**
 * Runs once before the unit suite's workers start, after the package's own (which makes the
 * machinery's PGlite snapshot): makes the snapshot of this app's database — the machinery's
 * migrations and lib/wix-app.ts's — so every test app's in-memory database is a copy, and the
 * workers do not each make it on a fresh clone.
 */
import { migrationSets } from 'wix-app-backend/db/migrate';
import { getPgliteSnapshot } from 'wix-app-backend/db/pglite-snapshot';
import { wixApp } from '../lib/wix-app';

export default async function setup(): Promise<void> {
  await getPgliteSnapshot({ migrations: migrationSets(wixApp.definition.migrations) });
}
