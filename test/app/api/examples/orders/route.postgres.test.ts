import { describe } from 'vitest';
import { usePrivatePostgres } from 'wix-app-backend/testing/private-postgres';
import { createTestApp } from '@/test/kit';
import { ordersRouteCases } from './orders-route.cases';

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
// A database of this file's own on that server (packages/wix-app-backend/src/testing/private-postgres.ts says why); the
// second test app opens it with a pool of its own, as a second process would.
describe.skipIf(!process.env.TEST_DATABASE_URL)('/api/examples/orders on PostgreSQL', () => {
  const url = usePrivatePostgres('orders_route');
  ordersRouteCases(
    () => createTestApp({ database: { databaseUrl: url() } }),
    () => createTestApp({ database: { databaseUrl: url() } }),
  );
});
