import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as itemRoute from '@/app/api/notes/[id]/route';
import * as listRoute from '@/app/api/notes/route';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';
import type { NoteBody } from './notes-route.cases';

// Token Info goes to the local Wix emulator the kit starts.
let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ emulator: true });
});
afterAll(() => kit.close());

describe('/api/notes with a Wix access token', () => {
  it('lets a USER token (the owner) create, list, update and delete', async () => {
    const instanceId = randomUUID();
    const auth = kit.accessToken({ instanceId, subjectType: 'USER', subjectId: 'user-42' });

    const created = await kit.call(listRoute.POST, '/api/notes', { auth, json: { title: 'Hi' } });
    expect(created.status).toBe(201);
    const note = (await created.json()) as NoteBody;
    expect(note).toMatchObject({ title: 'Hi', version: 1, createdBy: 'user-42' });

    const listed = await kit.call(listRoute.GET, '/api/notes', { auth });
    expect(await listed.json()).toEqual({ notes: [note], nextCursor: null });

    const params = { id: note.id };
    const updated = await kit.call(itemRoute.PATCH, `/api/notes/${note.id}`, {
      method: 'PATCH',
      auth,
      headers: { 'if-match': '"1"' },
      json: { body: 'from a token' },
      params,
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');

    const deleted = await kit.call(itemRoute.DELETE, `/api/notes/${note.id}`, {
      method: 'DELETE',
      auth: `Bearer ${auth}`,
      params,
    });
    expect(deleted.status).toBe(204);
  });

  it.each(['VISITOR', 'MEMBER'] as const)(
    'refuses a %s token (a site widget) everything: the notes are the dashboard’s',
    async (subjectType) => {
      const instanceId = randomUUID();
      const owner = kit.accessToken({ instanceId, subjectType: 'USER' });
      const widget = kit.accessToken({ instanceId, subjectType });
      const created = await kit.call(listRoute.POST, '/api/notes', {
        auth: owner,
        json: { title: 'Private' },
      });
      const note = (await created.json()) as NoteBody;
      const params = { id: note.id };

      await expectProblem(
        await kit.call(listRoute.GET, '/api/notes', { auth: widget }),
        403,
        'caller_not_allowed',
      );
      await expectProblem(
        await kit.call(itemRoute.GET, `/api/notes/${note.id}`, { auth: widget, params }),
        403,
        'caller_not_allowed',
      );
      await expectProblem(
        await kit.call(listRoute.POST, '/api/notes', { auth: widget, json: { title: 'x' } }),
        403,
        'caller_not_allowed',
      );
      await expectProblem(
        await kit.call(itemRoute.PATCH, `/api/notes/${note.id}`, {
          method: 'PATCH',
          auth: widget,
          headers: { 'if-match': '"1"' },
          json: { title: 'x' },
          params,
        }),
        403,
        'caller_not_allowed',
      );
      await expectProblem(
        await kit.call(itemRoute.DELETE, `/api/notes/${note.id}`, {
          method: 'DELETE',
          auth: widget,
          params,
        }),
        403,
        'caller_not_allowed',
      );
      // Nothing changed: the owner still sees the one note as it was.
      const listed = await kit.call(listRoute.GET, '/api/notes', { auth: owner });
      expect(await listed.json()).toEqual({ notes: [note], nextCursor: null });
    },
  );

  it('keeps a token for site B away from site A’s note', async () => {
    const a = randomUUID();
    const ownerA = kit.accessToken({ instanceId: a, subjectType: 'USER' });
    const ownerB = kit.accessToken({ instanceId: randomUUID(), subjectType: 'USER' });
    const note = (await (
      await kit.call(listRoute.POST, '/api/notes', { auth: ownerA, json: { title: 'A' } })
    ).json()) as NoteBody;
    await expectProblem(
      await kit.call(itemRoute.GET, `/api/notes/${note.id}`, {
        auth: ownerB,
        params: { id: note.id },
      }),
      404,
      'not_found',
    );
    const listed = await kit.call(listRoute.GET, '/api/notes', { auth: ownerB });
    expect(await listed.json()).toEqual({ notes: [], nextCursor: null });
  });

  it('answers 401 invalid_token for a token Token Info reports inactive', async () => {
    const auth = kit.accessToken({ instanceId: randomUUID(), subjectType: 'USER', active: false });
    await expectProblem(
      await kit.call(listRoute.GET, '/api/notes', { auth }),
      401,
      'invalid_token',
    );
  });
});
