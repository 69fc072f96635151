import { runMigrations } from '@/lib/db/migrate';
import { IN_MEMORY_DATA_DIR, openDatabase } from '@/lib/db/open-database';
import { createStore } from '@/lib/db/store';
import { lifecycleContract, openMigratedStore } from './lifecycle.contract';
import { storeContract } from './store.contract';

storeContract('PGlite (in memory)', async () => {
  const handle = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR });
  await runMigrations(handle.db);
  return { store: createStore(handle.db, handle.engine), close: () => handle.close() };
});
lifecycleContract('PGlite (in memory)', () =>
  openMigratedStore({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR }),
);
