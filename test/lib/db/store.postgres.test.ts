import { describe } from 'vitest';
import { lifecycleContract } from './lifecycle.contract';
import { openMigratedStore, storeContract } from './store.contract';

const url = process.env.TEST_DATABASE_URL;
const postgres = { databaseUrl: url ?? null, dataDir: 'unused' };

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
describe.skipIf(!url)('PostgreSQL (TEST_DATABASE_URL)', () => {
  storeContract('PostgreSQL', () => openMigratedStore(postgres));
  lifecycleContract('PostgreSQL', () => openMigratedStore(postgres));
});
