/**
 * What a data module needs to read and write one instance's rows: the verified instance id and
 * the database. Handlers get one from `app.authenticate(request)` (src/app/authenticate.ts) and
 * never build one from an id in a body, query string or path.
 */
import type { Db, Engine } from './open-database';

export interface TenantDb {
  /** The tenant key, from a verified credential only. Every query filters by it. */
  readonly instanceId: string;
  readonly db: Db;
}

/**
 * The database as a resource's per-process state sees it (a read cache, a memo): which engine it
 * is, and word when rows of an instance changed behind the resource's back — a lifecycle event
 * applied (a duplicated site's copy) or a purge. `AppDatabase` and every handler's `tenant` are
 * one.
 */
export interface DatabaseScope {
  readonly db: Db;
  readonly engine: Engine;
  /** `listener(instanceId)` after such a change; `listener()` when any instance may have changed. */
  onInstanceChanged(listener: (instanceId?: string) => void): void;
}

/** What `app.authenticate` hands a handler for its data modules. */
export interface Tenant extends TenantDb, DatabaseScope {}
