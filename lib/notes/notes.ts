/**
 * A site's notes: the input they accept and every query, scoped to the caller's instance
 * (docs/adding-a-route.md). Each note carries a version — its ETag — and every write that names
 * one checks it inside the statement itself, so of many concurrent writers with the same
 * expected version exactly one wins.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { guardDatabase } from 'wix-app-backend/db/errors';
import { afterCursor, pageOrder, type PageRequest } from 'wix-app-backend/db/page';
import { notes } from '../db/schema';
import type { TenantDb } from 'wix-app-backend/db/tenant';
import { AppError } from 'wix-app-backend/errors/app-error';
import { storableText } from 'wix-app-backend/validation/storable-text';
import { isUuid } from 'wix-app-backend/validation/uuid';

export const MAX_NOTE_TITLE_CHARS = 200;
export const MAX_NOTE_BODY_CHARS = 5_000;
/**
 * The largest request body a note write accepts: the longest title and body written as JSON
 * `\uXXXX` escapes (6 bytes a character), plus room for the keys.
 */
export const MAX_NOTE_REQUEST_BYTES = 32 * 1024;

const title = storableText({ min: 1, max: MAX_NOTE_TITLE_CHARS });
// Kept as written: leading spaces and blank lines can matter in a note's text.
const body = storableText({ max: MAX_NOTE_BODY_CHARS, trim: false });

/** What a client may send to create a note; unknown fields are refused, not ignored. */
export const NoteInput = z.strictObject({ title, body: body.default('') });
export type NoteInput = z.output<typeof NoteInput>;

/** What a client may send to change a note: the fields to replace, at least one. */
export const NotePatch = z
  .strictObject({ title: title.optional(), body: body.optional() })
  .refine((patch) => patch.title !== undefined || patch.body !== undefined, {
    message: 'send title, body or both',
  });
export type NotePatch = z.output<typeof NotePatch>;

/** What the API answers: never the instance id. */
const view = {
  id: notes.id,
  title: notes.title,
  body: notes.body,
  version: notes.version,
  createdAt: notes.createdAt,
  updatedAt: notes.updatedAt,
  createdBy: notes.createdBy,
  updatedBy: notes.updatedBy,
};
export type Note = { [K in keyof typeof view]: (typeof notes.$inferSelect)[K] };

/** At most this many per site: a tenant cannot grow the database without bound. */
export const MAX_NOTES_PER_INSTANCE = 1_000;

/** Who writes, and when. `by` is the caller's Wix user id (`identity.uid`), when it has one. */
export interface WriteBy {
  at: Date;
  by: string | null;
}

function notFound(): AppError {
  return new AppError('not_found', 'No such note on this site.');
}

/** The tenant's note `id`, as a condition: every query on one note goes through this. */
function oneNote(tenant: TenantDb, id: string) {
  return and(eq(notes.id, id), eq(notes.instanceId, tenant.instanceId));
}

/** One page, newest first; `page.limit + 1` rows so the caller can tell whether more exist. */
export function listNotes(tenant: TenantDb, page: PageRequest): Promise<Note[]> {
  return guardDatabase(async () =>
    tenant.db
      .select(view)
      .from(notes)
      .where(and(eq(notes.instanceId, tenant.instanceId), afterCursor(notes, page.after)))
      .orderBy(...pageOrder(notes))
      .limit(page.limit + 1),
  );
}

/** The tenant's note `id`; `not_found` when it has none by that id. */
export async function getNote(tenant: TenantDb, id: string): Promise<Note> {
  if (!isUuid(id)) throw notFound();
  const [note] = await guardDatabase(async () =>
    tenant.db.select(view).from(notes).where(oneNote(tenant, id)).limit(1),
  );
  if (!note) throw notFound();
  return note;
}

export function createNote(tenant: TenantDb, input: NoteInput, write: WriteBy): Promise<Note> {
  return guardDatabase(async () => {
    const counted = await tenant.db
      .select({ count: sql<number>`count(*)::int` })
      .from(notes)
      .where(eq(notes.instanceId, tenant.instanceId));
    // A soft cap: two concurrent creates may both pass it, which is fine for a bound on growth.
    if ((counted[0]?.count ?? 0) >= MAX_NOTES_PER_INSTANCE) {
      throw new AppError(
        'limit_reached',
        `A site keeps at most ${MAX_NOTES_PER_INSTANCE} notes; delete some first.`,
      );
    }
    const [note] = await tenant.db
      .insert(notes)
      .values({
        id: randomUUID(),
        instanceId: tenant.instanceId,
        title: input.title,
        body: input.body,
        version: 1,
        createdAt: write.at,
        updatedAt: write.at,
        createdBy: write.by,
        updatedBy: write.by,
      })
      .returning(view);
    return note!;
  });
}

/**
 * Replaces the fields in `patch` if the note is still at `expectedVersion`: `not_found` for
 * a note the tenant does not have, `version_conflict` (with the current version) for a stale one.
 */
export async function updateNote(
  tenant: TenantDb,
  id: string,
  patch: NotePatch,
  expectedVersion: number,
  write: WriteBy,
): Promise<Note> {
  if (!isUuid(id)) throw notFound();
  const [note] = await guardDatabase(async () =>
    // One statement: the row lock plus the re-checked WHERE make concurrent writers serial, and
    // only the first still sees `expectedVersion`.
    tenant.db
      .update(notes)
      .set({
        ...(patch.title !== undefined && { title: patch.title }),
        ...(patch.body !== undefined && { body: patch.body }),
        version: sql`${notes.version} + 1`,
        updatedAt: write.at,
        updatedBy: write.by,
      })
      .where(and(oneNote(tenant, id), eq(notes.version, expectedVersion)))
      .returning(view),
  );
  if (note) return note;
  throw await whyNotWritten(tenant, id);
}

/**
 * Deletes the note, if it is still at `expectedVersion` when one is given: `not_found` for a
 * note the tenant does not have, `version_conflict` (with the current version) for a stale one.
 */
export async function deleteNote(
  tenant: TenantDb,
  id: string,
  expectedVersion: number | null,
): Promise<void> {
  if (!isUuid(id)) throw notFound();
  const deleted = await guardDatabase(async () =>
    tenant.db
      .delete(notes)
      .where(
        and(
          oneNote(tenant, id),
          expectedVersion === null ? undefined : eq(notes.version, expectedVersion),
        ),
      )
      .returning({ id: notes.id }),
  );
  if (deleted.length === 0) throw await whyNotWritten(tenant, id);
}

/** After a write matched no row: the note is gone (or another tenant's), or it moved on. */
async function whyNotWritten(tenant: TenantDb, id: string): Promise<AppError> {
  const [current] = await guardDatabase(async () =>
    tenant.db.select({ version: notes.version }).from(notes).where(oneNote(tenant, id)).limit(1),
  );
  if (!current) return notFound();
  return new AppError('version_conflict', 'The note changed since it was read.', {
    currentVersion: current.version,
  });
}
