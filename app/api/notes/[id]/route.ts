import { json, noContent, route } from '@/lib/wix-app';
import { etagFor, parseIfMatch, parseOptionalIfMatch } from 'wix-app-backend/http/etag';
import { readJsonInput } from 'wix-app-backend/http/read-json-input';
import {
  MAX_NOTE_REQUEST_BYTES,
  NotePatch,
  deleteNote,
  getNote,
  updateNote,
} from '@/lib/notes/notes';

/** One of this site's notes, with its version as ETag. */
export const GET = route<{ id: string }>(async (request, app, { id }) => {
  const { tenant } = await app.authenticate(request);
  const note = await getNote(tenant, id);
  return json(note, { headers: { etag: etagFor(note.version) } });
});

/** Changes a note's title, body or both. The dashboard only; If-Match must name the version last read. */
export const PATCH = route<{ id: string }>(async (request, app, { id }) => {
  const { identity, tenant } = await app.authenticate(request);
  const expectedVersion = parseIfMatch(request.headers.get('if-match')); // 428 without one
  const patch = await readJsonInput(request, NotePatch, { maxBytes: MAX_NOTE_REQUEST_BYTES });
  const note = await updateNote(tenant, id, patch, expectedVersion, {
    at: new Date(app.now()),
    by: identity.uid,
  });
  return json(note, { headers: { etag: etagFor(note.version) } });
});

/** Deletes a note. The dashboard only; an If-Match, when sent, must name the current version. */
export const DELETE = route<{ id: string }>(async (request, app, { id }) => {
  const { tenant } = await app.authenticate(request);
  const expectedVersion = parseOptionalIfMatch(request.headers.get('if-match'));
  await deleteNote(tenant, id, expectedVersion);
  return noContent();
});
