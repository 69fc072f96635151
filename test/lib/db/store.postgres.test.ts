import { describe } from 'vitest';
import { runMigrations } from '@/lib/db/migrate';
import { openDatabase } from '@/lib/db/open-database';
import { createStore } from '@/lib/db/store';
import { lifecycleContract, openMigratedStore } from './lifecycle.contract';
import { storeContract } from './store.contract';

const url = process.env.TEST_DATABASE_URL;

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
describe.skipIf(!url)('PostgreSQL (TEST_DATABASE_URL)', () => {
  storeContract('PostgreSQL', async () => {
    const handle = await openDatabase({ databaseUrl: url ?? null, dataDir: 'unused' });
    await runMigrations(handle.db);
    return { store: createStore(handle.db, handle.engine), close: () => handle.close() };
  });
  lifecycleContract('PostgreSQL', () =>
    openMigratedStore({ databaseUrl: url ?? null, dataDir: 'unused' }),
  );
});
