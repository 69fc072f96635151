import { describe } from 'vitest';
import { databaseContract, openMigratedDatabase } from './database.contract';
import { lifecycleContract } from './lifecycle.contract';
import { purgeContract } from './purge.contract';

const url = process.env.TEST_DATABASE_URL;
const postgres = { databaseUrl: url ?? null, dataDir: 'unused' };

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
// No read cache here: PostgreSQL is shared by many processes.
describe.skipIf(!url)('PostgreSQL (TEST_DATABASE_URL)', () => {
  databaseContract('PostgreSQL', () => openMigratedDatabase(postgres));
  lifecycleContract('PostgreSQL', () => openMigratedDatabase(postgres));
  purgeContract('PostgreSQL', () => openMigratedDatabase(postgres));
});
