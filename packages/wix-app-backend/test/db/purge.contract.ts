/**
 * The purge of a removed instance must take every row that names it, in every table — including
 * tables added after this test was written. The purge itself is one DELETE on `instances`
 * (src/instances/instances-store.ts); the rest follows the foreign keys that `instanceIdColumn()`
 * (src/db/schema.ts) declares. So this contract checks the catalog: every `instance_id` column
 * outside `instances` must reference instances(instance_id) with ON DELETE CASCADE (the row goes)
 * or SET NULL (the row stays and names no site). Then it purges a real instance and looks in
 * every such table for the id.
 *
 * Purges here use their own era (1984) and never a `before` that reaches another test's rows, so
 * runs against one shared PostgreSQL never collide.
 */
import { randomUUID } from 'node:crypto';
import { TransactionRollbackError, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/open-database';
import { instanceIdColumns, purgeEscapes } from '../../src/testing/purge';
import { FIXTURE_TABLES } from '../fixtures/tables';
import { queryRows, useAppDatabase, type ContractDatabase } from './database.contract';

interface ColumnInfo {
  name: string;
  type: string;
  needsValue: boolean;
}

/**
 * Inserts one row carrying `instanceId` into `table`, whatever the table: every NOT NULL column
 * without a default gets a value of its type. Tables added after this test was written get a row
 * too, so the purge is checked against them; returns false when a table needs more than that
 * (a foreign key to another table, a check constraint).
 */
export async function insertGenericRow(
  db: Pick<Db, 'execute'>,
  table: string,
  instanceId: string,
): Promise<boolean> {
  const columns = await queryRows<{ name: string; type: string; needs_value: boolean }>(
    db,
    sql`
      select a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
        (a.attnotnull and d.adbin is null and a.attidentity = '' and a.attgenerated = '')
          as needs_value
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where n.nspname = 'public' and c.relname = ${table} and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
  );
  const filled: ColumnInfo[] = columns
    .map((column) => ({ name: column.name, type: column.type, needsValue: column.needs_value }))
    .filter((column) => column.name === 'instance_id' || column.needsValue);
  const values = [];
  for (const column of filled) {
    if (column.name === 'instance_id') {
      values.push(sql`${instanceId}`);
      continue;
    }
    const value = valueOfType(column.type);
    if (value === null) return false;
    values.push(value);
  }
  try {
    await db.execute(
      sql`insert into ${sql.identifier(table)} (${sql.join(
        filled.map((column) => sql.identifier(column.name)),
        sql`, `,
      )}) values (${sql.join(values, sql`, `)})`,
    );
    return true;
  } catch {
    return false;
  }
}

/** A fresh value of a column type, or null for a type this test cannot make up. */
function valueOfType(type: string): ReturnType<typeof sql> | null {
  if (/^(text|character varying|character)\b/.test(type)) return sql`${`probe-${randomUUID()}`}`;
  if (type === 'uuid') return sql`${randomUUID()}::uuid`;
  if (/^(integer|bigint|smallint|numeric|real|double precision)\b/.test(type)) {
    return sql.raw(String(1 + Math.floor(Math.random() * 1_000_000_000)));
  }
  if (type === 'boolean') return sql`false`;
  if (/^(timestamp|date)\b/.test(type)) return sql`now()`;
  if (type === 'jsonb' || type === 'json') return sql.raw(`'{}'::${type}`);
  return null;
}

/** Runs `run` in a transaction that is always rolled back. */
async function rolledBack(db: Db, run: (tx: Pick<Db, 'execute'>) => Promise<void>): Promise<void> {
  await db
    .transaction(async (tx) => {
      await run(tx);
      tx.rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error;
    });
}

export function purgeContract(name: string, open: () => Promise<ContractDatabase>): void {
  describe(`Purge contract: ${name}`, () => {
    const database = useAppDatabase(open);

    describe('every table with an instance_id column', () => {
      it('references instances(instance_id) ON DELETE CASCADE or SET NULL, so the purge reaches it', async () => {
        expect(await purgeEscapes(database().db)).toEqual([]);
      });

      it('includes the machinery’s tables and an app’s (the fixture tables)', async () => {
        const tables = (await instanceIdColumns(database().db)).map((column) => column.table);
        expect(tables).toEqual(
          expect.arrayContaining([...FIXTURE_TABLES, 'wix_app_tokens', 'webhook_events']),
        );
      });

      it('reports a table whose instance_id has no foreign key, naming it and instanceIdColumn()', async () => {
        const table = `purge_probe_${randomUUID().replaceAll('-', '')}`;
        await rolledBack(database().db, async (tx) => {
          await tx.execute(
            sql.raw(`create table "${table}" (id int primary key, instance_id text)`),
          );
          const escapes = await purgeEscapes(tx);
          expect(escapes).toHaveLength(1);
          expect(escapes[0]).toContain(`"${table}"`);
          expect(escapes[0]).toContain('no foreign key');
          expect(escapes[0]).toContain('instanceIdColumn()');
          expect(escapes[0]).toContain('wix-app-backend/db/schema');
        });
        // Rolled back: the real schema is clean again.
        expect(await purgeEscapes(database().db)).toEqual([]);
      });

      it('reports a table whose foreign key to instances neither cascades nor sets null', async () => {
        const table = `purge_probe_${randomUUID().replaceAll('-', '')}`;
        await rolledBack(database().db, async (tx) => {
          await tx.execute(
            sql.raw(
              `create table "${table}" (instance_id text not null references instances(instance_id) on delete restrict)`,
            ),
          );
          const escapes = await purgeEscapes(tx);
          expect(escapes).toHaveLength(1);
          expect(escapes[0]).toContain(`"${table}"`);
          expect(escapes[0]).toContain('not ON DELETE CASCADE or SET NULL');
        });
      });

      it('reports an instance_id that references some other table', async () => {
        const suffix = randomUUID().replaceAll('-', '');
        await rolledBack(database().db, async (tx) => {
          await tx.execute(sql.raw(`create table "other_${suffix}" (id text primary key)`));
          await tx.execute(
            sql.raw(
              `create table "probe_${suffix}" (instance_id text references "other_${suffix}"(id) on delete cascade)`,
            ),
          );
          const escapes = await purgeEscapes(tx);
          expect(escapes).toHaveLength(1);
          expect(escapes[0]).toContain(`"probe_${suffix}"`);
        });
      });

      it('accepts tables declared like instanceIdColumn() (cascade) or unlinked on purge (set null)', async () => {
        const suffix = randomUUID().replaceAll('-', '');
        await rolledBack(database().db, async (tx) => {
          await tx.execute(
            sql.raw(
              `create table "cascade_${suffix}" (instance_id text not null references instances(instance_id) on delete cascade)`,
            ),
          );
          await tx.execute(
            sql.raw(
              `create table "set_null_${suffix}" (instance_id text references instances(instance_id) on delete set null)`,
            ),
          );
          const tables = (await instanceIdColumns(tx)).map((column) => column.table);
          expect(tables).toEqual(
            expect.arrayContaining([`cascade_${suffix}`, `set_null_${suffix}`]),
          );
          expect(await purgeEscapes(tx)).toEqual([]);
        });
      });
    });

    describe('a row for any table', () => {
      it('fits a generic row carrying the instance id into a table added later', async () => {
        const table = `purge_probe_${randomUUID().replaceAll('-', '')}`;
        const id = randomUUID();
        await database().instances.recordSeen(id, Date.now());
        await rolledBack(database().db, async (tx) => {
          await tx.execute(
            sql.raw(
              `create table "${table}" (
                id text primary key,
                instance_id text not null references instances(instance_id) on delete cascade,
                position integer not null,
                payload jsonb not null,
                done boolean not null,
                at timestamptz not null,
                note text,
                created_at timestamptz not null default now()
              )`,
            ),
          );
          expect(await insertGenericRow(tx, table, id)).toBe(true);
          const [row] = await queryRows<{ n: number | string }>(
            tx,
            sql`select count(*) as n from ${sql.identifier(table)} where instance_id = ${id}`,
          );
          expect(Number(row?.n)).toBe(1);
        });
      });
    });

    describe('purging a removed instance', () => {
      const era = (minutes: number) => new Date(Date.UTC(1984, 5, 1) + minutes * 60_000);

      /** The tables these tests fill through their stores; every other one is filled generically. */
      const FILLED_BY_STORES = ['test_documents', 'wix_app_tokens', 'webhook_events'];

      /**
       * An instance with rows in every table: a document, an app token and deliveries through the
       * stores, and a generic row in any other table with an instance_id column (returned).
       */
      async function instanceWithData(removedAt: Date | null) {
        const id = randomUUID();
        const deliveries = [randomUUID(), randomUUID()];
        const db = database();
        expect(
          await db.applyLifecycleEvent(
            {
              eventType: 'AppInstalled',
              instanceId: id,
              occurredAt: era(0),
              event: { kind: 'installed', originInstanceId: null },
            },
            { id: deliveries[0]!, receivedAt: era(0) },
          ),
        ).toBe('applied');
        await db.instances.recordSeen(id, era(1).getTime());
        const saved = await db.documents.saveDocument(id, {
          document: { greeting: `document of ${id}` },
          expectedVersion: 0,
          updatedBy: 'owner-1',
          at: era(1),
        });
        expect(saved.ok).toBe(true);
        await db.appTokens.withAppTokenLock(id, async () => ({
          sealedToken: `sealed-${id}`,
          expiresAt: era(300),
        }));
        const generic: Record<string, boolean> = {};
        for (const { table } of await instanceIdColumns(db.db)) {
          if (!FILLED_BY_STORES.includes(table)) {
            generic[table] = await insertGenericRow(db.db, table, id);
          }
        }
        if (removedAt) {
          expect(
            await db.applyLifecycleEvent(
              {
                eventType: 'AppRemoved',
                instanceId: id,
                occurredAt: removedAt,
                event: { kind: 'removed' },
              },
              { id: deliveries[1]!, receivedAt: removedAt },
            ),
          ).toBe('applied');
        }
        return { id, deliveries, generic };
      }

      /** How many rows of each table carry `instanceId`. */
      async function rowsPerTable(instanceId: string): Promise<Record<string, number>> {
        const counts: Record<string, number> = {};
        for (const { table } of await instanceIdColumns(database().db)) {
          const [row] = await queryRows<{ n: number | string }>(
            database().db,
            sql`select count(*) as n from ${sql.identifier(table)} where instance_id = ${instanceId}`,
          );
          counts[table] = Number(row?.n ?? 0);
        }
        return counts;
      }

      it('leaves no row in any table carrying the purged id, and another instance’s rows alone', async () => {
        await database().purgeRemovedInstances(era(1000)); // leftovers of an earlier failed run
        const doomed = await instanceWithData(era(10));
        const other = await instanceWithData(null);
        const otherBefore = await rowsPerTable(other.id);
        const doomedBefore = await rowsPerTable(doomed.id);
        // The check below proves something only if the instance had rows to lose: in the tables
        // filled through the stores, and in every other table a generic row fits.
        expect(doomedBefore).toMatchObject({
          test_documents: 1,
          wix_app_tokens: 1,
          webhook_events: 2,
        });
        expect(otherBefore).toMatchObject({
          test_documents: 1,
          wix_app_tokens: 1,
          webhook_events: 1,
        });
        for (const [table, inserted] of Object.entries(doomed.generic)) {
          if (inserted) expect({ table, rows: doomedBefore[table] }).toEqual({ table, rows: 1 });
        }

        expect(await database().purgeRemovedInstances(era(20))).toBe(1);

        const doomedAfter = await rowsPerTable(doomed.id);
        expect(Object.keys(doomedAfter)).toEqual(Object.keys(doomedBefore));
        for (const [table, count] of Object.entries(doomedAfter)) {
          expect({ table, rows: count }).toEqual({ table, rows: 0 });
        }
        const [instanceRows] = await queryRows<{ n: number | string }>(
          database().db,
          sql`select count(*) as n from instances where instance_id = ${doomed.id}`,
        );
        expect(Number(instanceRows?.n)).toBe(0);
        expect(await rowsPerTable(other.id)).toEqual(otherBefore);
        expect(await database().documents.getDocument(other.id)).toMatchObject({
          document: { greeting: `document of ${other.id}` },
        });
        expect(await database().appTokens.readAppToken(other.id)).toMatchObject({
          sealedToken: `sealed-${other.id}`,
        });
      });

      it('keeps the purged instance’s delivery records, unlinked, so a replay is still a duplicate', async () => {
        await database().purgeRemovedInstances(era(1000));
        const doomed = await instanceWithData(era(10));
        expect(await database().purgeRemovedInstances(era(20))).toBe(1);

        const [kept] = await queryRows<{ n: number | string }>(
          database().db,
          sql`select count(*) as n from webhook_events
               where delivery_id in (${doomed.deliveries[0]}, ${doomed.deliveries[1]})
                 and instance_id is null`,
        );
        expect(Number(kept?.n)).toBe(2);
      });
    });
  });
}
