/**
 * Keyset pagination, newest first: a page is the `limit` rows that sort after the previous page's
 * last row by (created_at, id) descending. Stable while rows are added or deleted, and each page
 * costs one index range scan, however deep — unlike OFFSET. src/http/pagination.ts reads and
 * writes the cursor a client sees.
 */
import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** Where the previous page ended. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

export interface PageRequest {
  limit: number;
  /** Null for the first page. */
  after: PageCursor | null;
}

interface Keyed {
  createdAt: PgColumn;
  id: PgColumn;
}

/** The condition "sorts after `cursor`" (always true without one). */
export function afterCursor(table: Keyed, cursor: PageCursor | null): SQL | undefined {
  if (!cursor) return undefined;
  return or(
    lt(table.createdAt, cursor.createdAt),
    and(eq(table.createdAt, cursor.createdAt), lt(table.id, cursor.id)),
  );
}

/** The page order: newest first, ties broken by id. */
export function pageOrder(table: Keyed): SQL[] {
  return [desc(table.createdAt), desc(table.id)];
}
