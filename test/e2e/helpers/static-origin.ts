/**
 * A tiny static site on its own origin (http://127.0.0.1:PORT): one page whose script calls the
 * API cross-origin, the way a Wix dashboard page on https://<app-id>.wix.run calls this backend,
 * and records what the page could observe in `window.__result`.
 *
 * The page reads its parameters from its own query string:
 *   api       the API origin, e.g. http://127.0.0.1:3000 (required)
 *   path      the API path (default /api/me)
 *   instance  sent as the raw Authorization value, as Wix's docs do (omitted when absent)
 */
import { createServer, type Server } from 'node:http';
import { freePort } from './next-server';

/** What the page's script saw. A CORS block is only visible to script as a rejected fetch. */
export type PageResult =
  | {
      kind: 'response';
      status: number;
      body: unknown;
      /** Response headers script could read (CORS hides all but the safelisted and exposed). */
      headers: Record<string, string>;
    }
  | { kind: 'error'; name: string; message: string };

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>static origin</title></head>
<body>
<p id="state">running</p>
<script>
(async () => {
  const params = new URLSearchParams(location.search);
  const api = params.get('api');
  const path = params.get('path') || '/api/me';
  const instance = params.get('instance');
  const headers = instance ? { Authorization: instance } : {};
  try {
    const response = await fetch(api + path, { headers });
    const text = await response.text();
    let body = text;
    try { body = JSON.parse(text); } catch (_) { /* not JSON */ }
    const seen = {};
    response.headers.forEach((value, name) => { seen[name] = value; });
    window.__result = { kind: 'response', status: response.status, body, headers: seen };
  } catch (error) {
    window.__result = { kind: 'error', name: error.name, message: error.message };
  }
  document.getElementById('state').textContent = 'done';
})();
</script>
</body>
</html>
`;

export interface StaticOrigin {
  /** e.g. http://127.0.0.1:40123 — exactly what the browser sends as Origin. */
  readonly origin: string;
  readonly port: number;
  /** The page URL that calls `api` + `path` with `instance` as Authorization. */
  pageUrl(params: { api: string; path?: string; instance?: string }): string;
  close(): Promise<void>;
}

/** Serves the page on `host` and a free (or given) port. */
export async function startStaticOrigin(
  options: { host?: string; port?: number } = {},
): Promise<StaticOrigin> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const server: Server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://static.invalid');
    if (request.method === 'GET' && pathname === '/') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(PAGE);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const origin = `http://${host}:${port}`;
  return {
    origin,
    port,
    pageUrl({ api, path, instance }) {
      const query = new URLSearchParams({ api });
      if (path) query.set('path', path);
      if (instance) query.set('instance', instance);
      return `${origin}/?${query.toString()}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
