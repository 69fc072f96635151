import { HttpError } from '@/lib/http/problem';
import { readJsonBody } from '@/lib/http/read-json-body';
import { json, withProblems } from '@/lib/http/route';
import { requireInstalledInstance } from '@/lib/server/require-instance';
import {
  MAX_SETTINGS_BODY_BYTES,
  etagFor,
  parseIfMatch,
  readSettings,
  writeSettings,
} from '@/lib/settings/settings-service';

/** The caller's settings (defaults until first saved), with the version as ETag. */
export const GET = withProblems(async (request) => {
  const { identity, store } = await requireInstalledInstance(request);
  const view = await readSettings(store, identity.instanceId);
  return json(view, { headers: { etag: etagFor(view.version) } });
});

/** Replaces the caller's settings. Owners only; If-Match must name the version last read. */
export const PUT = withProblems(async (request) => {
  const { identity, store } = await requireInstalledInstance(request);
  if (!identity.isOwner)
    throw new HttpError('owner_required', 'Only the site owner can change settings.');
  const expectedVersion = parseIfMatch(request.headers.get('if-match'));
  const body = await readJsonBody(request, MAX_SETTINGS_BODY_BYTES);
  const view = await writeSettings(store, identity, expectedVersion, body);
  return json(view, { headers: { etag: etagFor(view.version) } });
});
