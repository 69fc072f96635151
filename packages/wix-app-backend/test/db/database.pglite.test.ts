import { IN_MEMORY_DATA_DIR } from '../../src/db/open-database';
import { databaseContract, openMigratedDatabase } from './database.contract';
import { lifecycleContract } from './lifecycle.contract';
import { purgeContract } from './purge.contract';

const memory = { databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR };
const cacheOff = { cacheReads: false };

// On PGlite the fixture resource's read cache is on by default; every contract runs with it and
// without it, so both layers are held to it.
databaseContract('PGlite (in memory)', () => openMigratedDatabase(memory));
databaseContract('PGlite (in memory, read cache off)', () =>
  openMigratedDatabase(memory, cacheOff),
);
lifecycleContract('PGlite (in memory)', () => openMigratedDatabase(memory));
lifecycleContract('PGlite (in memory, read cache off)', () =>
  openMigratedDatabase(memory, cacheOff),
);
purgeContract('PGlite (in memory)', () => openMigratedDatabase(memory));
