import { IN_MEMORY_DATA_DIR } from '@/lib/db/open-database';
import { lifecycleContract } from './lifecycle.contract';
import { openMigratedStore, storeContract } from './store.contract';

const memory = { databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR };

storeContract('PGlite (in memory)', () => openMigratedStore(memory));
// The same contract without the settings read cache, so both layers are held to it.
storeContract('PGlite (in memory, settings read cache off)', () =>
  openMigratedStore(memory, { cacheSettingsReads: false }),
);
lifecycleContract('PGlite (in memory)', () => openMigratedStore(memory));
