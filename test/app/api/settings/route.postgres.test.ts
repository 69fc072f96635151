import { afterAll, describe } from 'vitest';
import { settingsRouteCases } from './settings-route.cases';

const url = process.env.TEST_DATABASE_URL;
const previousDatabaseUrl = process.env.DATABASE_URL;
// Before any app module loads: the app reads DATABASE_URL once, into its cached configuration
// (and vitest gives every test file its own module registry).
if (url) process.env.DATABASE_URL = url;

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
describe.skipIf(!url)('/api/settings on PostgreSQL (TEST_DATABASE_URL)', () => {
  afterAll(() => {
    process.env.DATABASE_URL = previousDatabaseUrl;
  });

  settingsRouteCases('postgres', async () => ({
    settings: await import('@/app/api/settings/route'),
    me: await import('@/app/api/me/route'),
    health: await import('@/app/api/health/route'),
    database: await import('@/lib/server/database'),
    requireInstance: await import('@/lib/server/require-instance'),
  }));
});
