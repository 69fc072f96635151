// @vitest-environment jsdom
import { randomUUID } from 'node:crypto';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { NOTES_PAGE_SIZE, NotesCard } from '@/app/(demo)/notes-card';
import * as itemRoute from '@/app/api/notes/[id]/route';
import * as listRoute from '@/app/api/notes/route';
import type { Route } from 'wix-app-backend';
import { createTestApp, TEST_BASE_URL, type TestApp } from '@/test/kit';
import type { NoteBody } from '../api/notes/notes-route.cases';

let kit: TestApp;
beforeAll(async () => {
  kit = await createTestApp();
});
afterAll(() => kit.close());

/** What the card's fetches reached, so a test can tell a real answer from a stubbed one. */
let served: { method: string; path: string; status: number; ifMatch: string | null }[] = [];

// The browser's fetch, routed to the real route handlers on the test app.
async function fetchToHandlers(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  const request = new Request(new URL(url, TEST_BASE_URL), init);
  const path = new URL(request.url).pathname;
  const item = /^\/api\/notes\/([^/]+)$/.exec(path);
  const routes: Record<string, Route<never>> = path === '/api/notes'
    ? listRoute
    : item
      ? itemRoute
      : {};
  const handler = routes[request.method];
  if (!handler) throw new Error(`no route handler for ${request.method} ${path}`);
  const params = item ? { id: decodeURIComponent(item[1]!) } : {};
  const response = await handler.withContext(kit.app)(request, {
    params: Promise.resolve(params as never),
  });
  served.push({
    method: request.method,
    path,
    status: response.status,
    ifMatch: request.headers.get('if-match'),
  });
  return response;
}

beforeEach(() => {
  served = [];
  vi.stubGlobal('fetch', vi.fn(fetchToHandlers));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** A new site with `titles` as notes, oldest first; returns its owner's instance. */
async function site(titles: string[] = [], options: { owner?: boolean } = {}) {
  const instanceId = randomUUID();
  const owner = await kit.signInstance({ instanceId });
  const created: NoteBody[] = [];
  for (const title of titles) {
    const response = await kit.call(listRoute.POST, '/api/notes', { auth: owner, json: { title } });
    expect(response.status).toBe(201);
    created.push((await response.json()) as NoteBody);
  }
  const instance =
    options.owner === false ? await kit.signInstance({ instanceId, owner: false }) : owner;
  return { instanceId, owner, instance, created };
}

const shownTitles = () => screen.queryAllByTestId('note-title').map((el) => el.textContent);

async function renderCard(instance: string) {
  render(<NotesCard instance={instance} step={5} />);
  await waitFor(() => expect(screen.queryByText('Loading notes…')).toBeNull());
}

describe('NotesCard', () => {
  it('says so when the site has no notes', async () => {
    const { instance } = await site();
    await renderCard(instance);
    expect(screen.getByTestId('notes-empty')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(served).toEqual([{ method: 'GET', path: '/api/notes', status: 200, ifMatch: null }]);
  });

  it('sends the instance as the raw Authorization value', async () => {
    const { instance } = await site();
    await renderCard(instance);
    const [, init] = vi.mocked(fetch).mock.calls[0]!;
    expect(new Headers(init?.headers).get('authorization')).toBe(instance);
  });

  it('lists the newest notes first and loads more until there are none', async () => {
    const titles = Array.from({ length: NOTES_PAGE_SIZE + 2 }, (_, i) => `note ${i}`);
    const { instance } = await site(titles);
    await renderCard(instance);
    await waitFor(() => expect(shownTitles()).toHaveLength(NOTES_PAGE_SIZE));

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(shownTitles()).toHaveLength(titles.length));
    expect(new Set(shownTitles())).toEqual(new Set(titles));
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(served.map((s) => s.status)).toEqual([200, 200]);
  });

  it('adds a note at the top', async () => {
    const { instance, owner } = await site(['older']);
    await renderCard(instance);
    const form = screen.getByRole('form', { name: 'Add a note' });
    fireEvent.change(within(form).getByRole('textbox', { name: 'Title' }), {
      target: { value: 'Fresh' },
    });
    fireEvent.change(within(form).getByRole('textbox', { name: 'Text' }), {
      target: { value: 'Some text' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Add note' }));

    await waitFor(() => expect(shownTitles()).toEqual(['Fresh', 'older']));
    expect(screen.getByText('Some text')).toBeTruthy();
    expect((within(form).getByRole('textbox', { name: 'Title' }) as HTMLInputElement).value).toBe(
      '',
    );
    const listed = await kit.call(listRoute.GET, '/api/notes', { auth: owner });
    const stored = ((await listed.json()) as { notes: NoteBody[] }).notes;
    expect(stored.map((n) => n.title).sort()).toEqual(['Fresh', 'older']);
  });

  it('explains a refused blank title in words, not "at least 1 characters"', async () => {
    const { instance } = await site();
    await renderCard(instance);
    const form = screen.getByRole('form', { name: 'Add a note' });
    fireEvent.change(within(form).getByRole('textbox', { name: 'Title' }), {
      target: { value: '   ' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Add note' }));

    expect((await screen.findByTestId('notes-error-code')).textContent).toBe('invalid_body');
    expect(screen.getByRole('alert').textContent).toContain('title: must not be empty');
    expect(screen.getByRole('alert').textContent).not.toMatch(/characters|Too small/);
    expect(served.at(-1)).toMatchObject({ method: 'POST', status: 400 });
  });

  it('edits a note with If-Match naming the version it showed', async () => {
    const { instance, owner, created } = await site(['Draft']);
    await renderCard(instance);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    const form = screen.getByRole('form', { name: 'Edit Draft' });
    fireEvent.change(within(form).getByRole('textbox', { name: 'Title' }), {
      target: { value: 'Final' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(shownTitles()).toEqual(['Final']));
    expect(screen.getByText('version 2')).toBeTruthy();
    expect(served.at(-1)).toEqual({
      method: 'PATCH',
      path: `/api/notes/${created[0]!.id}`,
      status: 200,
      ifMatch: '"1"',
    });
    const stored = await kit.call(itemRoute.GET, `/api/notes/${created[0]!.id}`, {
      auth: owner,
      params: { id: created[0]!.id },
    });
    expect(await stored.json()).toMatchObject({ title: 'Final', version: 2 });
  });

  it('shows the 412 conflict when the note changed meanwhile, and reloads the latest', async () => {
    const { instance, owner, created } = await site(['Shared']);
    const id = created[0]!.id;
    await renderCard(instance);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));

    // Someone else saves first.
    const other = await kit.call(itemRoute.PATCH, `/api/notes/${id}`, {
      method: 'PATCH',
      auth: owner,
      headers: { 'if-match': '"1"' },
      json: { title: 'Theirs' },
      params: { id },
    });
    expect(other.status).toBe(200);

    const form = screen.getByRole('form', { name: 'Edit Shared' });
    fireEvent.change(within(form).getByRole('textbox', { name: 'Title' }), {
      target: { value: 'Mine' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));

    const alert = await screen.findByTestId('notes-conflict');
    expect(alert.textContent).toContain('version_conflict');
    expect(served.at(-1)).toMatchObject({ method: 'PATCH', status: 412, ifMatch: '"1"' });

    fireEvent.click(within(alert).getByRole('button', { name: 'Reload the latest' }));
    await waitFor(() => expect(shownTitles()).toEqual(['Theirs']));
    expect(screen.queryByTestId('notes-conflict')).toBeNull();
    expect(screen.getByText('version 2')).toBeTruthy();
  });

  it('deletes a note', async () => {
    const { instance, owner, created } = await site(['keep', 'drop']);
    await renderCard(instance);
    await waitFor(() => expect(shownTitles()).toEqual(['drop', 'keep']));
    const drop = screen.getAllByTestId('note')[0]!;
    fireEvent.click(within(drop).getByRole('button', { name: 'Delete' }));

    await waitFor(() => expect(shownTitles()).toEqual(['keep']));
    expect(served.at(-1)).toMatchObject({ method: 'DELETE', status: 204, ifMatch: '"1"' });
    const gone = await kit.call(itemRoute.GET, `/api/notes/${created[1]!.id}`, {
      auth: owner,
      params: { id: created[1]!.id },
    });
    expect(gone.status).toBe(404);
  });

  it('shows caller_not_allowed, and none of the notes, to someone who is not the owner', async () => {
    const { instance } = await site(['private'], { owner: false });
    await renderCard(instance);
    expect((await screen.findByTestId('notes-error-code')).textContent).toBe('caller_not_allowed');
    expect(shownTitles()).toEqual([]);
  });
});
