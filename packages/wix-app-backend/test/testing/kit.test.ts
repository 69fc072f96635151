/**
 * The kit serves a request the way production does, so a route test proves what a deployment
 * would answer: CORS and the early credential check for a request without a body (the
 * middleware's gate), CORS in the route wrapper for one with a body, however it is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { json } from '../../src/http/route';
import { readJsonInput } from '../../src/http/read-json-input';
import { TEST_APP_ID, createTestApp, expectProblem, type TestApp } from '../../src/testing';
import { fixtureApp, route, whoAmI as getMe } from '../fixtures/routes';

const APP_ORIGIN = `https://${TEST_APP_ID}.wix.run`;
const HOSTILE = `https://${TEST_APP_ID}.wix.run.attacker.example`;

/**
 * A JSON resource of this file's own at /api/notes, as an app's route makes one: the handler
 * authenticates, then reads and validates the body. Every POST that reached the handler is
 * counted, and every one it created is listed back to its instance.
 */
const NoteInput = z.object({ title: z.string().min(1) });
const created: { instanceId: string; title: string }[] = [];
let postsHandled = 0;
const notesRoute = {
  POST: route(async (request, app) => {
    postsHandled++;
    const { identity } = await app.authenticate(request);
    const { title } = await readJsonInput(request, NoteInput, { maxBytes: 4096 });
    created.push({ instanceId: identity.instanceId, title });
    return json({ title }, { status: 201 });
  }),
  GET: route(async (request, app) => {
    const { identity } = await app.authenticate(request);
    const notes = created.filter((note) => note.instanceId === identity.instanceId);
    return json({ notes: notes.map(({ title }) => ({ title })) });
  }),
};

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp({ app: fixtureApp });
});
afterAll(() => kit.close());

describe('kit.call serves requests as production does', () => {
  it('refuses a JSON POST from a hostile origin before the handler runs, as the route wrapper does', async () => {
    const auth = await kit.signInstance();
    const handledBefore = postsHandled;
    for (const chunked of [false, true]) {
      const response = await kit.call(notesRoute.POST, '/api/notes', {
        auth,
        origin: HOSTILE,
        json: { title: 'must not be created' },
        chunked,
      });
      await expectProblem(response, 403, 'origin_not_allowed');
    }
    expect(postsHandled).toBe(handledBefore);
    const listed = await kit.call(notesRoute.GET, '/api/notes', { auth });
    expect(await listed.json()).toEqual({ notes: [] });

    // The same POST from the app's origin reaches the handler, and is created: the refusal
    // above is the origin's doing.
    for (const chunked of [false, true]) {
      const response = await kit.call(notesRoute.POST, '/api/notes', {
        auth,
        origin: APP_ORIGIN,
        json: { title: chunked ? 'chunked' : 'sized' },
        chunked,
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    }
    expect(postsHandled).toBe(handledBefore + 2);
    const after = await kit.call(notesRoute.GET, '/api/notes', { auth });
    expect(await after.json()).toEqual({ notes: [{ title: 'sized' }, { title: 'chunked' }] });
  });

  it('sends a body with its Content-Length, or chunked when asked', () => {
    expect(kit.request('/api/notes', { json: { title: 'é' } }).headers.get('content-length')).toBe(
      '14',
    );
    const chunked = kit.request('/api/notes', { json: {}, chunked: true });
    expect(chunked.headers.get('transfer-encoding')).toBe('chunked');
    expect(chunked.headers.has('content-length')).toBe(false);
  });

  it('refuses a GET from a hostile origin in the gate, and answers an allowed one with its CORS headers', async () => {
    const auth = await kit.signInstance();
    await expectProblem(
      await kit.call(getMe, '/api/me', { auth, origin: HOSTILE }),
      403,
      'origin_not_allowed',
    );
    const allowed = await kit.call(getMe, '/api/me', { auth, origin: APP_ORIGIN });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(allowed.headers.get('vary')).toContain('Origin');
  });

  it('refuses a request without a credential in the gate, with a request id', async () => {
    const response = await kit.call(getMe, '/api/me', { origin: APP_ORIGIN });
    await expectProblem(response, 401, 'missing_credentials');
    expect(response.headers.get('x-request-id')).toMatch(/\S/);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});

describe('kit.preflight', () => {
  it('answers the app’s origin with the methods and headers the browser asked for', async () => {
    const response = await kit.preflight('/api/notes', {
      origin: APP_ORIGIN,
      method: 'POST',
      headers: ['authorization', 'content-type'],
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'content-type',
    );
  });

  it('refuses a hostile origin without an Access-Control-Allow-Origin', async () => {
    const response = await kit.preflight('/api/notes', { origin: HOSTILE, method: 'POST' });
    expect(response.status).toBe(403);
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
  });
});
