import { json, route } from '@/lib/wix-app';
import { etagFor } from 'wix-app-backend/http/etag';
import { readPageRequest, toPage } from 'wix-app-backend/http/pagination';
import { readJsonInput } from 'wix-app-backend/http/read-json-input';
import { MAX_NOTE_REQUEST_BYTES, NoteInput, createNote, listNotes } from '@/lib/notes/notes';

/** This site's notes, newest first: `?limit=1…100&cursor=<nextCursor>`. */
export const GET = route(async (request, app) => {
  const { tenant } = await app.authenticate(request);
  const page = readPageRequest(request);
  const { items, nextCursor } = toPage(await listNotes(tenant, page), page.limit);
  return json({ notes: items, nextCursor });
});

/** Creates a note. The dashboard only. */
export const POST = route(async (request, app) => {
  const { identity, tenant } = await app.authenticate(request);
  const input = await readJsonInput(request, NoteInput, { maxBytes: MAX_NOTE_REQUEST_BYTES });
  const note = await createNote(tenant, input, { at: new Date(app.now()), by: identity.uid });
  return json(note, {
    status: 201,
    headers: { etag: etagFor(note.version), location: `/api/notes/${note.id}` },
  });
});
