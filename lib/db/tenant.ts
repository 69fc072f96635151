/**
 * What a data module needs to read and write one instance's rows: the verified instance id and
 * the database. Handlers get one from `app.authenticate(request)` (lib/app/authenticate.ts) and
 * never build one from an id in a body, query string or path.
 */
import type { Db } from './open-database';

export interface TenantDb {
  /** The tenant key, from a verified credential only. Every query filters by it. */
  readonly instanceId: string;
  readonly db: Db;
}
