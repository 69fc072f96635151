'use client';

import { useCallback, useEffect, useState } from 'react';
import { fetchWithWixInstance } from '@/lib/client/wix-instance-client';
import { networkError, ProblemNote, problemStatus, type ProblemStatus } from './problem-note';

/** A note as GET /api/notes answers it. */
interface Note {
  id: string;
  title: string;
  body: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface Draft {
  title: string;
  body: string;
}

type Status = { kind: 'loading' } | { kind: 'ready' } | { kind: 'busy' } | ProblemStatus;

/** Notes per page: small, so "Load more" shows after a few. */
export const NOTES_PAGE_SIZE = 5;

/** A note's ETag is its version in quotes (packages/wix-app-backend/src/http/etag.ts); list items carry no header. */
const etagOf = (note: Pick<Note, 'version'>) => `"${note.version}"`;

/**
 * List, add, edit and delete this site's notes, as a Wix dashboard page would. Edits and deletes
 * send `If-Match`: a note someone else changed since it was loaded is refused with 412, shown
 * here, instead of being overwritten.
 */
export function NotesCard({ instance, step }: { instance: string; step: number }) {
  const [notes, setNotes] = useState<Note[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [draft, setDraft] = useState<Draft>({ title: '', body: '' });
  const [editing, setEditing] = useState<{ id: string; draft: Draft } | null>(null);
  /** The note whose write was refused with 412. */
  const [conflict, setConflict] = useState<string | null>(null);

  const call = useCallback(
    (path: string, init: RequestInit = {}) => fetchWithWixInstance(path, init, { instance }),
    [instance],
  );

  /** Runs one request; a network failure becomes an error status. */
  const attempt = async (run: () => Promise<void>) => {
    setStatus({ kind: 'busy' });
    try {
      await run();
    } catch (error) {
      setStatus(networkError(error));
    }
  };

  const loadPage = useCallback(
    async (cursor: string | null) => {
      const query = `?limit=${NOTES_PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await call(`/api/notes${query}`);
      const body = (await response.json()) as Record<string, unknown>;
      if (!response.ok) return setStatus(problemStatus(body, response.status));
      const page = body as unknown as { notes: Note[]; nextCursor: string | null };
      setNotes((shown) => {
        const kept = cursor ? shown : [];
        const known = new Set(kept.map((note) => note.id));
        return [...kept, ...page.notes.filter((note) => !known.has(note.id))];
      });
      setNextCursor(page.nextCursor);
      setStatus({ kind: 'ready' });
    },
    [call],
  );

  useEffect(() => {
    loadPage(null).catch((error: unknown) => setStatus(networkError(error)));
  }, [loadPage]);

  const add = () =>
    attempt(async () => {
      const response = await call('/api/notes', {
        method: 'POST',
        body: JSON.stringify({ title: draft.title, body: draft.body }),
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (!response.ok) return setStatus(problemStatus(body, response.status));
      setNotes((shown) => [body as unknown as Note, ...shown]);
      setDraft({ title: '', body: '' });
      setStatus({ kind: 'ready' });
    });

  const save = (note: Note, changed: Draft) =>
    attempt(async () => {
      const response = await call(`/api/notes/${note.id}`, {
        method: 'PATCH',
        headers: { 'If-Match': etagOf(note) },
        body: JSON.stringify(changed),
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status === 412) {
        setConflict(note.id);
        return setStatus({ kind: 'ready' });
      }
      if (response.status === 404) return gone(note.id);
      if (!response.ok) return setStatus(problemStatus(body, response.status));
      replace(body as unknown as Note);
      setEditing(null);
      setStatus({ kind: 'ready' });
    });

  const remove = (note: Note) =>
    attempt(async () => {
      const response = await call(`/api/notes/${note.id}`, {
        method: 'DELETE',
        headers: { 'If-Match': etagOf(note) },
      });
      if (response.status === 412) {
        setConflict(note.id);
        return setStatus({ kind: 'ready' });
      }
      if (response.status === 204 || response.status === 404) return gone(note.id);
      setStatus(problemStatus((await response.json()) as Record<string, unknown>, response.status));
    });

  /** After a 412: the note as it is now, to edit again from. */
  const reloadNote = (id: string) =>
    attempt(async () => {
      const response = await call(`/api/notes/${id}`);
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status === 404) return gone(id);
      if (!response.ok) return setStatus(problemStatus(body, response.status));
      replace(body as unknown as Note);
      setEditing(null);
      setConflict(null);
      setStatus({ kind: 'ready' });
    });

  const replace = (note: Note) =>
    setNotes((shown) => shown.map((old) => (old.id === note.id ? note : old)));

  const gone = (id: string) => {
    setNotes((shown) => shown.filter((note) => note.id !== id));
    setEditing((current) => (current?.id === id ? null : current));
    setConflict((current) => (current === id ? null : current));
    setStatus({ kind: 'ready' });
  };

  const busy = status.kind === 'busy' || status.kind === 'loading';

  return (
    <section className="step" aria-labelledby="step-notes" data-testid="notes-card">
      <h2 id="step-notes">
        <span className="n">{step}</span>This site&apos;s notes
      </h2>
      <p className="muted">
        A list per verified instance: <code>GET /api/notes</code> pages with a cursor; edits send{' '}
        <code>PATCH /api/notes/:id</code> with <code>If-Match</code>, so a stale version is refused
        with 412 instead of overwriting.
      </p>

      <form
        className="settings"
        aria-label="Add a note"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <label>
          Title
          <input
            name="title"
            value={draft.title}
            maxLength={200}
            onChange={(e) => setDraft({ ...draft, title: e.target.value })}
          />
        </label>
        <label>
          Text
          <textarea
            name="body"
            value={draft.body}
            maxLength={5000}
            rows={2}
            onChange={(e) => setDraft({ ...draft, body: e.target.value })}
          />
        </label>
        <button type="submit" disabled={busy}>
          Add note
        </button>
      </form>

      {status.kind === 'loading' && <p className="muted">Loading notes…</p>}
      {status.kind !== 'loading' && notes.length === 0 && (
        <p className="muted" data-testid="notes-empty">
          No notes yet.
        </p>
      )}
      <ul className="notes">
        {notes.map((note) => (
          <li key={note.id} data-testid="note">
            {editing?.id === note.id ? (
              <form
                className="settings"
                aria-label={`Edit ${note.title}`}
                onSubmit={(event) => {
                  event.preventDefault();
                  void save(note, editing.draft);
                }}
              >
                <label>
                  Title
                  <input
                    name="title"
                    value={editing.draft.title}
                    maxLength={200}
                    onChange={(e) =>
                      setEditing({
                        id: note.id,
                        draft: { ...editing.draft, title: e.target.value },
                      })
                    }
                  />
                </label>
                <label>
                  Text
                  <textarea
                    name="body"
                    value={editing.draft.body}
                    maxLength={5000}
                    rows={3}
                    onChange={(e) =>
                      setEditing({ id: note.id, draft: { ...editing.draft, body: e.target.value } })
                    }
                  />
                </label>
                <button type="submit" disabled={busy}>
                  Save
                </button>
                <button type="button" className="secondary" onClick={() => setEditing(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <>
                <strong data-testid="note-title">{note.title}</strong>{' '}
                <span className="muted">version {note.version}</span>
                {note.body && <p className="note-body">{note.body}</p>}
                <p>
                  <button
                    type="button"
                    className="secondary"
                    disabled={busy}
                    onClick={() => {
                      setConflict(null);
                      setEditing({ id: note.id, draft: { title: note.title, body: note.body } });
                    }}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    disabled={busy}
                    onClick={() => void remove(note)}
                  >
                    Delete
                  </button>
                </p>
              </>
            )}
            {conflict === note.id && (
              <p role="alert" data-testid="notes-conflict">
                <span className="bad">Someone changed this note after you loaded it</span> (412{' '}
                <code>version_conflict</code>). Your change was not saved.{' '}
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void reloadNote(note.id)}
                >
                  Reload the latest
                </button>
              </p>
            )}
          </li>
        ))}
      </ul>
      {nextCursor && (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void attempt(() => loadPage(nextCursor))}
        >
          Load more
        </button>
      )}
      {status.kind === 'error' && <ProblemNote problem={status} testId="notes-error-code" />}
    </section>
  );
}
