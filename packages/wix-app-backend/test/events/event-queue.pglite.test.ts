import { IN_MEMORY_DATA_DIR } from '../../src/db/open-database';
import { openMigratedDatabase } from '../db/database.contract';
import { eventQueueContract } from './event-queue.contract';

// One in-memory database: "two connections" are the one connection twice, as two contexts in
// one process share it.
eventQueueContract('PGlite (in memory)', () =>
  openMigratedDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR }),
);
