import { describe } from 'vitest';
import { usePrivatePostgres } from 'wix-app-backend/testing/private-postgres';
import { createTestApp } from '@/test/kit';
import { giftCardCases } from './gift-cards.cases';

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
// Two test apps, each with a pool of its own over one database, as two processes would be.
describe.skipIf(!process.env.TEST_DATABASE_URL)('gift cards on PostgreSQL', () => {
  const url = usePrivatePostgres('gift_cards');
  giftCardCases(
    () => createTestApp({ database: { databaseUrl: url() } }),
    () => createTestApp({ database: { databaseUrl: url() } }),
  );
});
