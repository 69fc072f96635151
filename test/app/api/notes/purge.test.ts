import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as itemRoute from '@/app/api/notes/[id]/route';
import * as listRoute from '@/app/api/notes/route';
import { POST as webhook } from '@/app/api/webhooks/wix/route';
import { purgeExpiredInstances } from 'wix-app-backend/app/purge';
import { notes } from '@/lib/db/schema';
import { createTestApp, expectProblem, type TestApp } from '@/test/kit';
import type { NoteBody } from './notes-route.cases';

// PGlite only: a purge with DATA_RETENTION_DAYS=0 removes every removed instance in the
// database, which on a PostgreSQL shared by several test files would reach theirs too.
let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

const secondsAgo = (seconds: number) => new Date(Math.floor(Date.now() / 1000 - seconds) * 1000);

async function deliver(body: string): Promise<void> {
  const response = await kit.call(webhook, '/api/webhooks/wix', { body });
  expect(response.status).toBe(200);
}

async function createNote(instanceId: string, title: string): Promise<NoteBody> {
  const response = await kit.call(listRoute.POST, '/api/notes', {
    auth: await kit.signInstance({ instanceId }),
    json: { title },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as NoteBody;
}

const notesOf = async (instanceId: string) =>
  (
    await kit.database.db.select({ n: count() }).from(notes).where(eq(notes.instanceId, instanceId))
  )[0]?.n;

describe('/api/notes of a removed instance', () => {
  it('answers 403 app_not_installed once Wix reports the app removed', async () => {
    const instanceId = randomUUID();
    const note = await createNote(instanceId, 'Before removal');
    await deliver(await kit.signWebhook('AppRemoved', instanceId, { at: secondsAgo(5) }));

    const auth = await kit.signInstance({ instanceId });
    const params = { id: note.id };
    await expectProblem(
      await kit.call(listRoute.GET, '/api/notes', { auth }),
      403,
      'app_not_installed',
    );
    await expectProblem(
      await kit.call(itemRoute.GET, `/api/notes/${note.id}`, { auth, params }),
      403,
      'app_not_installed',
    );
    await expectProblem(
      await kit.call(listRoute.POST, '/api/notes', { auth, json: { title: 'x' } }),
      403,
      'app_not_installed',
    );
    await expectProblem(
      await kit.call(itemRoute.PATCH, `/api/notes/${note.id}`, {
        method: 'PATCH',
        auth,
        headers: { 'if-match': '"1"' },
        json: { title: 'x' },
        params,
      }),
      403,
      'app_not_installed',
    );
    await expectProblem(
      await kit.call(itemRoute.DELETE, `/api/notes/${note.id}`, { method: 'DELETE', auth, params }),
      403,
      'app_not_installed',
    );
    expect(await notesOf(instanceId)).toBe(1);
  });

  it('loses its notes to the purge, and other sites keep theirs', async () => {
    const removed = randomUUID();
    const kept = randomUUID();
    await createNote(removed, 'Goes with the site');
    await createNote(removed, 'This one too');
    await createNote(kept, 'Stays');
    await deliver(await kit.signWebhook('AppRemoved', removed, { at: secondsAgo(5) }));
    expect(await notesOf(removed)).toBe(2);

    // With the default retention (30 days), a just-removed site keeps its notes.
    await purgeExpiredInstances(kit.withEnv({ DATA_RETENTION_DAYS: '' }).app);
    expect(await notesOf(removed)).toBe(2);

    const result = await purgeExpiredInstances(kit.withEnv({ DATA_RETENTION_DAYS: '0' }).app);
    expect(result.purged).toBeGreaterThanOrEqual(1);
    expect(await notesOf(removed)).toBe(0);
    expect(await kit.database.instances.getInstance(removed)).toBeNull();
    expect(await notesOf(kept)).toBe(1);
  });
});
