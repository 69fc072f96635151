/**
 * The route-level battery for /api/notes and /api/notes/[id], registered once per database
 * engine: route.test.ts runs it on the in-memory PGlite, route.postgres.test.ts on a real
 * PostgreSQL. Every test uses fresh random instance ids, so runs against one shared PostgreSQL
 * never see each other's rows.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as itemRoute from '@/app/api/notes/[id]/route';
import * as listRoute from '@/app/api/notes/route';
import { notes } from '@/lib/db/schema';
import { MAX_NOTES_PER_INSTANCE, MAX_NOTE_REQUEST_BYTES } from '@/lib/notes/notes';
import { expectProblem, type TestApp } from '@/test/kit';

/** A note as the API answers it (dates as ISO strings). */
export interface NoteBody {
  id: string;
  title: string;
  body: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

interface NotePage {
  notes: NoteBody[];
  nextCursor: string | null;
}

/** Who calls: a signed instance for this site, the owner unless `owner: false`. */
interface As {
  instanceId: string;
  owner?: boolean;
  uid?: string | null;
}

/** Registers the battery on the test app `open` builds (in beforeAll; closed in afterAll). */
export function notesRouteCases(open: () => Promise<TestApp>): void {
  let opened: TestApp | null = null;
  const kit = (): TestApp => {
    if (!opened) throw new Error('the test app did not open (see the beforeAll error)');
    return opened;
  };

  beforeAll(async () => {
    opened = await open(); // opens and migrates the database (≈ 2 s for PGlite)
  });
  afterAll(async () => {
    await opened?.close();
  });

  const credential = ({ instanceId, owner = true, uid = 'user-1' }: As, app = kit()) =>
    app.signInstance({ instanceId, owner, uid });

  const list = async (as: As, query = '', app = kit()) =>
    app.call(listRoute.GET, `/api/notes${query}`, { auth: await credential(as, app) });

  const create = async (as: As, json: unknown, app = kit()) =>
    app.call(listRoute.POST, '/api/notes', { auth: await credential(as, app), json });

  const getOne = async (as: As, id: string) =>
    kit().call(itemRoute.GET, `/api/notes/${id}`, { auth: await credential(as), params: { id } });

  const patch = async (
    as: As,
    id: string,
    options: { ifMatch?: string; json?: unknown; body?: string; contentType?: string },
  ) => {
    const headers: Record<string, string> = {};
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    return kit().call(itemRoute.PATCH, `/api/notes/${id}`, {
      method: 'PATCH',
      auth: await credential(as),
      headers,
      json: options.json,
      body: options.body,
      params: { id },
    });
  };

  const remove = async (as: As, id: string, ifMatch?: string) =>
    kit().call(itemRoute.DELETE, `/api/notes/${id}`, {
      method: 'DELETE',
      auth: await credential(as),
      headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
      params: { id },
    });

  /** Creates a note for a new site (or `instanceId`); returns the site and the note. */
  async function created(
    json: unknown = { title: 'First', body: 'Some text' },
    instanceId: string = randomUUID(),
  ): Promise<{ instanceId: string; note: NoteBody }> {
    const response = await create({ instanceId }, json);
    expect(response.status).toBe(201);
    return { instanceId, note: (await response.json()) as NoteBody };
  }

  async function read(instanceId: string, id: string): Promise<NoteBody> {
    const response = await getOne({ instanceId }, id);
    expect(response.status).toBe(200);
    return (await response.json()) as NoteBody;
  }

  /** Every page of the site's notes, following nextCursor; returns the pages. */
  async function allPages(as: As, limit: number, app = kit()): Promise<NotePage[]> {
    const pages: NotePage[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await list(as, query, app);
      expect(response.status).toBe(200);
      const page = (await response.json()) as NotePage;
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 100);
    return pages;
  }

  describe('create, list, get, update, delete', () => {
    it('creates a note: 201 with the note, its ETag and its Location', async () => {
      const instanceId = randomUUID();
      const before = Date.now();
      const response = await create(
        { instanceId, uid: 'owner-7' },
        { title: '  Shopping  ', body: ' milk\n' },
      );
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('etag')).toBe('"1"');
      const note = (await response.json()) as NoteBody;
      expect(response.headers.get('location')).toBe(`/api/notes/${note.id}`);
      expect(note).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        // The title is trimmed; the body is kept as written.
        title: 'Shopping',
        body: ' milk\n',
        version: 1,
        createdAt: note.updatedAt,
        updatedAt: expect.any(String),
        createdBy: 'owner-7',
        updatedBy: 'owner-7',
      });
      expect(Date.parse(note.createdAt)).toBeGreaterThanOrEqual(before - 1_000);
      expect(JSON.stringify(note)).not.toContain(instanceId);
    });

    it('defaults the body to empty', async () => {
      const { note } = await created({ title: 'Title only' });
      expect(note).toMatchObject({ title: 'Title only', body: '' });
    });

    it('lists the site’s notes newest first, and gets one with its ETag', async () => {
      const instanceId = randomUUID();
      const first = (await created({ title: 'one' }, instanceId)).note;
      const second = (await created({ title: 'two' }, instanceId)).note;

      const listed = await list({ instanceId });
      expect(listed.status).toBe(200);
      expect(listed.headers.get('cache-control')).toBe('no-store');
      const page = (await listed.json()) as NotePage;
      expect(page.nextCursor).toBeNull();
      expect(page.notes.map((n) => n.id).sort()).toEqual([first.id, second.id].sort());
      expect(page.notes).toContainEqual(first);

      const one = await getOne({ instanceId }, first.id);
      expect(one.status).toBe(200);
      expect(one.headers.get('etag')).toBe('"1"');
      expect(await one.json()).toEqual(first);
    });

    it('answers an empty list for a site with no notes', async () => {
      const response = await list({ instanceId: randomUUID() });
      expect(await response.json()).toEqual({ notes: [], nextCursor: null });
    });

    it('updates the title alone, then the body alone, one version each', async () => {
      const { instanceId, note } = await created({ title: 'Old', body: 'Old body' });
      const renamed = await patch({ instanceId, uid: 'editor-2' }, note.id, {
        ifMatch: '"1"',
        json: { title: 'New' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.headers.get('etag')).toBe('"2"');
      expect(await renamed.json()).toMatchObject({
        id: note.id,
        title: 'New',
        body: 'Old body',
        version: 2,
        createdBy: 'user-1',
        updatedBy: 'editor-2',
        createdAt: note.createdAt,
      });

      const rewritten = await patch({ instanceId }, note.id, {
        ifMatch: '"2"',
        json: { body: 'New body' },
      });
      expect(rewritten.status).toBe(200);
      expect(rewritten.headers.get('etag')).toBe('"3"');
      expect(await read(instanceId, note.id)).toMatchObject({
        title: 'New',
        body: 'New body',
        version: 3,
      });
    });

    it('deletes a note: 204, then 404 for it and gone from the list', async () => {
      const { instanceId, note } = await created();
      const response = await remove({ instanceId }, note.id);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      await expectProblem(await getOne({ instanceId }, note.id), 404, 'not_found');
      await expectProblem(await remove({ instanceId }, note.id), 404, 'not_found');
      expect(await (await list({ instanceId })).json()).toEqual({ notes: [], nextCursor: null });
    });

    it.each([
      ['an id that is no note', randomUUID()],
      ['an id that is not a UUID', 'not-a-note'],
      ['an id with a NUL character', 'a\u0000b'],
      ['an id with a lone surrogate', '\ud800'],
    ])('answers 404 not_found for %s on GET, PATCH and DELETE', async (_label, id) => {
      const as = { instanceId: randomUUID() };
      await expectProblem(await getOne(as, id), 404, 'not_found');
      await expectProblem(
        await patch(as, id, { ifMatch: '"1"', json: { title: 'x' } }),
        404,
        'not_found',
      );
      await expectProblem(await remove(as, id), 404, 'not_found');
    });
  });

  describe('pagination', () => {
    it('pages 25 notes by 10: 10, 10, 5, then no cursor — no duplicates, no gaps', async () => {
      const instanceId = randomUUID();
      // A clock that moves a second per note, so the expected order is known.
      let now = Date.now() - 60_000;
      const app = kit().withEnv({}, { now: () => now });
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        now += 1_000;
        const response = await create({ instanceId }, { title: `note ${i}` }, app);
        expect(response.status).toBe(201);
        ids.push(((await response.json()) as NoteBody).id);
      }

      const pages = await allPages({ instanceId }, 10, app);
      expect(pages.map((p) => p.notes.length)).toEqual([10, 10, 5]);
      expect(pages.map((p) => p.nextCursor === null)).toEqual([false, false, true]);
      expect(pages.flatMap((p) => p.notes.map((n) => n.id))).toEqual([...ids].reverse());
    });

    it('does not repeat a note when one is created while paging', async () => {
      const instanceId = randomUUID();
      let now = Date.now() - 60_000;
      const app = kit().withEnv({}, { now: () => now });
      const ids: string[] = [];
      for (let i = 0; i < 15; i++) {
        now += 1_000;
        ids.push(
          ((await (await create({ instanceId }, { title: `n${i}` }, app)).json()) as NoteBody).id,
        );
      }
      const first = (await (await list({ instanceId }, '?limit=10', app)).json()) as NotePage;
      now += 1_000;
      const added = (await (
        await create({ instanceId }, { title: 'late' }, app)
      ).json()) as NoteBody;
      const second = (await (
        await list({ instanceId }, `?limit=10&cursor=${first.nextCursor}`, app)
      ).json()) as NotePage;

      const seen = [...first.notes, ...second.notes].map((n) => n.id);
      expect(second.nextCursor).toBeNull();
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual([...ids].reverse());
      // A fresh first page starts with it.
      const fresh = (await (await list({ instanceId }, '?limit=1', app)).json()) as NotePage;
      expect(fresh.notes[0]?.id).toBe(added.id);
    });

    it('keeps the order of notes created in the same millisecond', async () => {
      const instanceId = randomUUID();
      const now = Date.now();
      const app = kit().withEnv({}, { now: () => now });
      for (let i = 0; i < 7; i++) {
        expect((await create({ instanceId }, { title: `same ${i}` }, app)).status).toBe(201);
      }
      const pages = await allPages({ instanceId }, 2, app);
      const seen = pages.flatMap((p) => p.notes.map((n) => n.id));
      expect(pages.map((p) => p.notes.length)).toEqual([2, 2, 2, 1]);
      expect(new Set(seen).size).toBe(7);
    });

    it.each([
      ['garbage', 'garbage!'],
      ['base64url that is not JSON', 'bm90IGpzb24'],
      ['a JSON value of the wrong shape', Buffer.from('{"a":1}').toString('base64url')],
      ['a date that is none', Buffer.from('["nope","x"]').toString('base64url')],
      [
        'an id with a NUL',
        Buffer.from('["2026-01-01T00:00:00.000Z","\\u0000"]').toString('base64url'),
      ],
      ['a very long cursor', 'A'.repeat(600)],
    ])('answers 400 invalid_request for a cursor that is %s', async (_label, cursor) => {
      const response = await list({ instanceId: randomUUID() }, `?cursor=${cursor}`);
      await expectProblem(response, 400, 'invalid_request');
    });

    it.each(['0', '101', 'abc', '-1', '1.5', ''])(
      'answers 400 invalid_request for limit=%s',
      async (limit) => {
        const response = await list({ instanceId: randomUUID() }, `?limit=${limit}`);
        await expectProblem(response, 400, 'invalid_request');
      },
    );

    it('accepts limit 1 and 100', async () => {
      const { instanceId } = await created();
      for (const limit of [1, 100]) {
        expect((await list({ instanceId }, `?limit=${limit}`)).status).toBe(200);
      }
    });
  });

  describe('the dashboard reads and writes; a site member or visitor nothing', () => {
    it('answers 403 caller_not_allowed to a user who is not the owner, and changes nothing', async () => {
      const { instanceId, note } = await created({ title: 'Owner wrote this' });
      for (const other of [
        { instanceId, owner: false }, // a site member
        { instanceId, owner: false, uid: null }, // an anonymous visitor
      ]) {
        await expectProblem(await create(other, { title: 'x' }), 403, 'caller_not_allowed');
        await expectProblem(
          await patch(other, note.id, { ifMatch: '"1"', json: { title: 'Visitor' } }),
          403,
          'caller_not_allowed',
        );
        await expectProblem(await remove(other, note.id), 403, 'caller_not_allowed');
        await expectProblem(await list(other), 403, 'caller_not_allowed');
        await expectProblem(await getOne(other, note.id), 403, 'caller_not_allowed');
      }
      expect(await read(instanceId, note.id)).toEqual(note);
    });

    it('answers 401 on every export without a credential, and with a forged one', async () => {
      const { note } = await created();
      const params = { id: note.id };
      const forged = await kit().signInstance({ secret: 'not-the-app-secret' });
      const calls = [
        [listRoute.GET, '/api/notes', {}],
        [listRoute.POST, '/api/notes', { json: { title: 'x' } }],
        [itemRoute.GET, `/api/notes/${note.id}`, { params }],
        [
          itemRoute.PATCH,
          `/api/notes/${note.id}`,
          { method: 'PATCH', headers: { 'if-match': '"1"' }, json: { title: 'x' }, params },
        ],
        [itemRoute.DELETE, `/api/notes/${note.id}`, { method: 'DELETE', params }],
      ] as const;
      for (const [handler, path, options] of calls) {
        await expectProblem(await kit().call(handler, path, options), 401, 'missing_credentials');
        await expectProblem(
          await kit().call(handler, path, { ...options, auth: forged }),
          401,
          'invalid_signature',
        );
      }
    });
  });

  describe('isolation between instances', () => {
    it('keeps A’s note from B: list, get, update and delete all miss, and A’s is unchanged', async () => {
      const { instanceId: a, note } = await created({ title: 'A private note', body: 'secret' });
      const b = { instanceId: randomUUID() };
      expect(await (await create(b, { title: 'B’s own' })).json()).toMatchObject({ version: 1 });

      const listed = await (await list(b, `?instanceId=${a}`)).text();
      expect(listed).not.toContain(note.id);
      expect(listed).not.toContain('A private note');
      await expectProblem(await getOne(b, note.id), 404, 'not_found');
      await expectProblem(
        await patch(b, note.id, { ifMatch: '"1"', json: { title: 'B was here' } }),
        404,
        'not_found',
      );
      await expectProblem(await remove(b, note.id, '"1"'), 404, 'not_found');
      await expectProblem(await remove(b, note.id), 404, 'not_found');

      expect(await read(a, note.id)).toEqual(note);
    });

    it('refuses an instanceId field in the body as unknown', async () => {
      const a = randomUUID();
      const response = await create({ instanceId: randomUUID() }, { title: 'x', instanceId: a });
      const problem = await expectProblem(response, 400, 'invalid_body');
      expect(problem.detail).toContain('instanceId');
      expect(await (await list({ instanceId: a })).json()).toEqual({ notes: [], nextCursor: null });
    });

    it('does not let B’s cursor reach A’s notes', async () => {
      const { instanceId: a } = await created({ title: 'A private note' });
      const aPage = (await (await list({ instanceId: a })).json()) as NotePage;
      const cursor = Buffer.from(
        JSON.stringify([new Date(Date.now() + 60_000).toISOString(), 'zzzz']),
      ).toString('base64url');
      const text = await (await list({ instanceId: randomUUID() }, `?cursor=${cursor}`)).text();
      expect(JSON.parse(text)).toEqual({ notes: [], nextCursor: null });
      expect(text).not.toContain(aPage.notes[0]!.id);
    });
  });

  describe('If-Match', () => {
    it('answers 428 precondition_required to a PATCH without If-Match, or with *', async () => {
      const { instanceId, note } = await created();
      for (const ifMatch of [undefined, '', '*']) {
        await expectProblem(
          await patch({ instanceId }, note.id, { ifMatch, json: { title: 'Blind' } }),
          428,
          'precondition_required',
        );
      }
      expect(await read(instanceId, note.id)).toEqual(note);
    });

    it('answers 412 version_conflict, with the current ETag, to a stale PATCH', async () => {
      const { instanceId, note } = await created({ title: 'v1' });
      expect(
        (await patch({ instanceId }, note.id, { ifMatch: '"1"', json: { title: 'v2' } })).status,
      ).toBe(200);
      const stale = await patch({ instanceId }, note.id, { ifMatch: '"1"', json: { title: 'x' } });
      await expectProblem(stale, 412, 'version_conflict');
      expect(stale.headers.get('etag')).toBe('"2"');
      expect(await read(instanceId, note.id)).toMatchObject({ title: 'v2', version: 2 });
    });

    it.each([
      ['a weak ETag', 'W/"1"'],
      ['an unquoted version', '1'],
    ])('answers 412 to a PATCH with %s', async (_label, ifMatch) => {
      const { instanceId, note } = await created();
      await expectProblem(
        await patch({ instanceId }, note.id, { ifMatch, json: { title: 'x' } }),
        412,
        'version_conflict',
      );
      expect((await read(instanceId, note.id)).version).toBe(1);
    });

    it('deletes with the current If-Match, refuses a stale one with 412 and the ETag', async () => {
      const { instanceId, note } = await created();
      await patch({ instanceId }, note.id, { ifMatch: '"1"', json: { body: 'changed' } });
      const stale = await remove({ instanceId }, note.id, '"1"');
      await expectProblem(stale, 412, 'version_conflict');
      expect(stale.headers.get('etag')).toBe('"2"');
      await expectProblem(await remove({ instanceId }, note.id, '*'), 428, 'precondition_required');
      expect((await read(instanceId, note.id)).version).toBe(2);

      expect((await remove({ instanceId }, note.id, '"2"')).status).toBe(204);
      await expectProblem(await getOne({ instanceId }, note.id), 404, 'not_found');
    });
  });

  describe('concurrency', () => {
    it('lets exactly one of 20 concurrent PATCHes with the same If-Match win', async () => {
      const { instanceId, note } = await created();
      const auth = await credential({ instanceId });
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          kit().call(itemRoute.PATCH, `/api/notes/${note.id}`, {
            method: 'PATCH',
            auth,
            headers: { 'if-match': '"1"' },
            json: { title: `writer ${i}` },
            params: { id: note.id },
          }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(19);
      for (const r of responses) {
        if (r.status === 412) expect(r.headers.get('etag')).toBe('"2"');
      }
      const winner = statuses.indexOf(200);
      expect(await read(instanceId, note.id)).toMatchObject({
        title: `writer ${winner}`,
        version: 2,
      });
    });

    it('deletes a note once when 10 DELETEs race: one 204, the rest 404', async () => {
      const { instanceId, note } = await created();
      const auth = await credential({ instanceId });
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          kit().call(itemRoute.DELETE, `/api/notes/${note.id}`, {
            method: 'DELETE',
            auth,
            params: { id: note.id },
          }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([204, ...Array(9).fill(404)]);
    });
  });

  describe('validation', () => {
    it.each([
      ['an unknown field', { title: 'x', pinned: true }, 'pinned'],
      ['no title', { body: 'x' }, 'title'],
      ['an empty title', { title: '' }, 'title'],
      ['a title of spaces', { title: '   ' }, 'title'],
      ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
      ['a body over 5000 characters', { title: 'x', body: 'y'.repeat(5001) }, 'body'],
      ['a NUL character in the body', { title: 'x', body: 'a\u0000b' }, 'body'],
      ['a lone surrogate in the body', { title: 'x', body: 'a\ud800b' }, 'body'],
      ['a lone surrogate in the title', { title: '\udc00' }, 'title'],
      ['a title that is a number', { title: 7 }, 'title'],
      ['an array', [{ title: 'x' }], ''],
    ])('answers 400 invalid_body to a POST with %s', async (_label, json, field) => {
      const instanceId = randomUUID();
      const problem = await expectProblem(await create({ instanceId }, json), 400, 'invalid_body');
      expect(problem.detail).toContain(field);
      expect(await (await list({ instanceId })).json()).toEqual({ notes: [], nextCursor: null });
    });

    it('accepts a title of exactly 200 characters and a body of exactly 5000', async () => {
      const { note } = await created({ title: 'x'.repeat(200), body: '😀'.repeat(2500) });
      expect(note.title).toHaveLength(200);
      expect(note.body).toHaveLength(5000);
    });

    it.each([
      ['an unknown field', { title: 'x', instanceId: 'other' }],
      ['nothing to change', {}],
      ['a title over 200 characters', { title: 'x'.repeat(201) }],
      ['a NUL character in the body', { body: '\u0000' }],
      ['a lone surrogate in the body', { body: '\ud800' }],
      ['a null title', { title: null }],
    ])('answers 400 invalid_body to a PATCH with %s, and changes nothing', async (_l, json) => {
      const { instanceId, note } = await created();
      await expectProblem(
        await patch({ instanceId }, note.id, { ifMatch: '"1"', json }),
        400,
        'invalid_body',
      );
      expect(await read(instanceId, note.id)).toEqual(note);
    });

    it('answers 415 unsupported_media_type for text/plain on POST and PATCH', async () => {
      const { instanceId, note } = await created();
      const auth = await credential({ instanceId });
      const body = JSON.stringify({ title: 'x' });
      const post = await kit().call(listRoute.POST, '/api/notes', {
        auth,
        headers: { 'content-type': 'text/plain' },
        body,
      });
      await expectProblem(post, 415, 'unsupported_media_type');
      await expectProblem(
        await patch({ instanceId }, note.id, { ifMatch: '"1"', body, contentType: 'text/plain' }),
        415,
        'unsupported_media_type',
      );
    });

    it('answers 413 payload_too_large for a body over the limit', async () => {
      const { instanceId, note } = await created();
      const json = { title: 'x', body: 'y'.repeat(MAX_NOTE_REQUEST_BYTES) };
      await expectProblem(await create({ instanceId }, json), 413, 'payload_too_large');
      await expectProblem(
        await patch({ instanceId }, note.id, { ifMatch: '"1"', json }),
        413,
        'payload_too_large',
      );
    });

    it('answers 400 invalid_json for a body that is not JSON, or empty', async () => {
      const { instanceId, note } = await created();
      const auth = await credential({ instanceId });
      for (const body of ['{"title":', '']) {
        const post = await kit().call(listRoute.POST, '/api/notes', {
          method: 'POST',
          auth,
          headers: { 'content-type': 'application/json' },
          body,
        });
        await expectProblem(post, 400, 'invalid_json');
        await expectProblem(
          await patch({ instanceId }, note.id, {
            ifMatch: '"1"',
            body,
            contentType: 'application/json',
          }),
          400,
          'invalid_json',
        );
      }
    });

    it(`refuses the note after ${MAX_NOTES_PER_INSTANCE} with 409 limit_reached`, async () => {
      const { instanceId, note } = await created();
      const at = new Date();
      // Filled in directly: a thousand POSTs would only slow the test down.
      await kit()
        .database.db.insert(notes)
        .values(
          Array.from({ length: MAX_NOTES_PER_INSTANCE - 1 }, (_, i) => ({
            id: randomUUID(),
            instanceId,
            title: `filler ${i}`,
            body: '',
            version: 1,
            createdAt: at,
            updatedAt: at,
          })),
        );
      const refused = await create({ instanceId }, { title: 'one too many' });
      const problem = await expectProblem(refused, 409, 'limit_reached');
      expect(problem.detail).toContain(String(MAX_NOTES_PER_INSTANCE));
      // Another site is not affected, and deleting one makes room again.
      expect((await create({ instanceId: randomUUID() }, { title: 'elsewhere' })).status).toBe(201);
      expect((await remove({ instanceId }, note.id)).status).toBe(204);
      expect((await create({ instanceId }, { title: 'fits again' })).status).toBe(201);
    });
  });
}
