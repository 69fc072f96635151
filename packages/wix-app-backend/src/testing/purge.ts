/**
 * The purge contract's catalog check, for an app's own tests: every `instance_id` column outside
 * `instances` must reference instances(instance_id) with ON DELETE CASCADE or SET NULL, or the
 * purge of a removed instance (one DELETE on `instances`) leaves its rows behind. Run it on a
 * database with the app's migrations applied (test/kit's `createTestApp`).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/open-database';
import { rowsOf } from '../db/rows';

/** A table with an `instance_id` column, and whether a purge reaches it. */
export interface InstanceIdColumn {
  table: string;
  /** `c` (cascade) or `n` (set null) when a foreign key to instances(instance_id) has one. */
  deleteRules: string[];
}

/** Every `instance_id` column of a table in the public schema other than `instances`. */
export async function instanceIdColumns(db: Pick<Db, 'execute'>): Promise<InstanceIdColumn[]> {
  const rows = rowsOf<{ table: string; delete_rules: string[] | string | null }>(
    await db.execute(
      sql`
      select c.relname as table,
        (select array_agg(k.confdeltype::text order by k.confdeltype::text)
           from pg_constraint k
          where k.contype = 'f'
            and k.conrelid = c.oid
            and k.conkey = array[a.attnum]::int2[]
            and k.confrelid = 'public.instances'::regclass
            and k.confkey = array[(
              select t.attnum from pg_attribute t
               where t.attrelid = 'public.instances'::regclass and t.attname = 'instance_id'
            )]::int2[]
        ) as delete_rules
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public'
        and c.relkind in ('r', 'p')
        and c.relname <> 'instances'
        and a.attname = 'instance_id'
        and a.attnum > 0
        and not a.attisdropped
      order by c.relname`,
    ),
  );
  return rows.map((row) => ({ table: row.table, deleteRules: parseTextArray(row.delete_rules) }));
}

/** PGlite hands a text[] back as an array; be lenient with the `{a,b}` text form too. */
function parseTextArray(value: string[] | string | null): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean);
}

/** One message per table whose `instance_id` rows a purge would leave behind. */
export async function purgeEscapes(db: Pick<Db, 'execute'>): Promise<string[]> {
  return (await instanceIdColumns(db))
    .filter(({ deleteRules }) => !deleteRules.some((rule) => rule === 'c' || rule === 'n'))
    .map(
      ({ table, deleteRules }) =>
        `table "${table}" has an instance_id column that the purge of a removed instance does not ` +
        `reach (${deleteRules.length === 0 ? 'no foreign key to instances(instance_id)' : 'its foreign key to instances(instance_id) is not ON DELETE CASCADE or SET NULL'}): ` +
        'declare the column with instanceIdColumn() from wix-app-backend/db/schema',
    );
}
