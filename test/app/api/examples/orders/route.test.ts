import { createTestApp } from '@/test/kit';
import { ordersRouteCases } from './orders-route.cases';

// In-memory PGlite; the second context shares the test app's one database, as two contexts in
// one process do.
ordersRouteCases(
  () => createTestApp(),
  async (kit) => createTestApp({ database: kit.database }),
);
