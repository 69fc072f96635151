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
// The same contract without the settings read cache, so both layers are held to it.
storeContract('PGlite (in memory, settings read cache off)', async () => {
  const handle = await openDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR });
  await runMigrations(handle.db);
  return {
    store: createStore(handle.db, handle.engine, { cacheSettingsReads: false }),
    close: () => handle.close(),
  };
});
lifecycleContract('PGlite (in memory)', () =>
  openMigratedStore({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR }),
);
