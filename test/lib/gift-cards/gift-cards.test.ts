import { describe } from 'vitest';
import { createTestApp } from '@/test/kit';
import { giftCardCases } from './gift-cards.cases';

// One PGlite, two contexts over it: PGlite is one process's database.
describe('gift cards on PGlite', () => {
  let first: Awaited<ReturnType<typeof createTestApp>> | null = null;
  giftCardCases(
    async () => (first = await createTestApp()),
    async () => createTestApp({ database: first!.database }),
  );
});
