import { describe } from 'vitest';
import { createTestApp } from '@/test/kit';
import { settingsRouteCases } from './settings-route.cases';

const databaseUrl = process.env.TEST_DATABASE_URL;

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
describe.skipIf(!databaseUrl)('/api/settings on PostgreSQL (TEST_DATABASE_URL)', () => {
  settingsRouteCases('postgres', () => createTestApp({ database: { databaseUrl: databaseUrl! } }));
});
