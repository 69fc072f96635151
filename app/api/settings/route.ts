import { json, route } from '@/lib/http/route';
import { etagFor, parseIfMatch } from '@/lib/http/etag';
import { readJsonBody } from '@/lib/http/read-json-body';
import {
  MAX_SETTINGS_BODY_BYTES,
  readSettings,
  writeSettings,
} from '@/lib/settings/settings-service';

/** The caller's settings (defaults until first saved), with the version as ETag. */
export const GET = route(async (request, app) => {
  const { tenant } = await app.authenticate(request);
  const view = await readSettings(tenant);
  return json(view, { headers: { etag: etagFor(view.version) } });
});

/** Replaces the caller's settings. Owners only; If-Match must name the version last read. */
export const PUT = route(async (request, app) => {
  const { identity, tenant } = await app.authenticate(request, { owner: true });
  const expectedVersion = parseIfMatch(request.headers.get('if-match'));
  const body = await readJsonBody(request, MAX_SETTINGS_BODY_BYTES);
  const view = await writeSettings(tenant, identity, expectedVersion, body, new Date(app.now()));
  return json(view, { headers: { etag: etagFor(view.version) } });
});
