import { json, route } from '@/lib/wix-app';
import { etagFor, parseIfMatch } from 'wix-app-backend/http/etag';
import { readJsonBody } from 'wix-app-backend/http/read-json-body';
import {
  MAX_SETTINGS_BODY_BYTES,
  publicSettings,
  readSettings,
  writeSettings,
} from '@/lib/settings/settings-service';

/**
 * The site's settings (defaults until first saved), with the version as ETag. The dashboard
 * gets all of them; a site widget — a member's or a visitor's credential — only what the site
 * shows (`publicSettings`), never the owner's private fields.
 */
export const GET = route(async (request, app) => {
  const { identity, tenant } = await app.authenticate(request, {
    callers: ['dashboard', 'member', 'visitor'],
  });
  const view = await readSettings(tenant);
  const body = identity.caller === 'dashboard' ? view : publicSettings(view);
  return json(body, { headers: { etag: etagFor(view.version) } });
});

/** Replaces the caller's settings. The dashboard only; If-Match must name the version last read. */
export const PUT = route(async (request, app) => {
  const { identity, tenant } = await app.authenticate(request);
  const expectedVersion = parseIfMatch(request.headers.get('if-match'));
  const body = await readJsonBody(request, MAX_SETTINGS_BODY_BYTES);
  const view = await writeSettings(tenant, expectedVersion, body, {
    at: new Date(app.now()),
    by: identity.uid,
  });
  return json(view, { headers: { etag: etagFor(view.version) } });
});
