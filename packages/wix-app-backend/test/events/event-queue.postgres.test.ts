import { describe } from 'vitest';
import { usePrivatePostgres } from '../../src/testing/private-postgres';
import { openMigratedDatabase } from '../db/database.contract';
import { eventQueueContract } from './event-queue.contract';

// Skipped, and counted as skipped, unless a PostgreSQL is given (bash scripts/with-postgres.sh).
// A database of this file's own on that server (src/testing/private-postgres.ts says why), over
// two connection pools: two processes sharing one PostgreSQL.
describe.skipIf(!process.env.TEST_DATABASE_URL)('PostgreSQL (TEST_DATABASE_URL)', () => {
  const url = usePrivatePostgres('event_queue');
  const open = () => openMigratedDatabase({ databaseUrl: url(), dataDir: 'unused' });
  eventQueueContract('PostgreSQL', open, { secondConnection: open });
});
