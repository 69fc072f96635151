import { describe } from 'vitest';
import { createTestApp } from '@/test/kit';
import { notesRouteCases } from './notes-route.cases';

const databaseUrl = process.env.TEST_DATABASE_URL;

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
describe.skipIf(!databaseUrl)('/api/notes on PostgreSQL (TEST_DATABASE_URL)', () => {
  notesRouteCases(() => createTestApp({ database: { databaseUrl: databaseUrl! } }));
});
