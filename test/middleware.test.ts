/**
 * middleware.ts (or the proxy.ts `npm run proxy:rename` makes of it) itself: wiring only (packages/wix-app-backend/src/http/gate.ts is tested on its own). What is left to test
 * here is its last resort, an application context that cannot be built: the answer is still a
 * problem that names its request, and the failure is logged once with that id.
 */
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { expectConsoleError } from 'wix-app-backend/testing/setup';
import { ENTRY_FILE, ROOT } from './structure/project-files';

type Entry = (request: Request) => Promise<Response>;

/** The exported function, `middleware` or `proxy` by the file's name. */
async function loadEntry(): Promise<Entry> {
  const loaded = (await import(/* @vite-ignore */ path.join(ROOT, ENTRY_FILE))) as {
    middleware?: Entry;
    proxy?: Entry;
  };
  const entry = loaded.proxy ?? loaded.middleware;
  if (!entry) throw new Error(`${ENTRY_FILE} exports neither proxy nor middleware`);
  return entry;
}

// This test needs the process context built from the environment it stubs: a fresh module
// registry, not the one the worker's earlier files share (decision 026).
beforeEach(() => {
  vi.resetModules();
});

describe('middleware', () => {
  it('answers a context that cannot be built with a 500 problem naming its request, logged once', async () => {
    // Half a configuration is refused (packages/wix-app-backend/src/config/env.ts), so the context cannot be built.
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('WIX_APP_ID', 'b0c1d2e3-f405-4a6b-8c7d-9e0f1a2b3c4d');
    vi.stubEnv('WIX_APP_SECRET', '');
    const logged = expectConsoleError(1);
    const middleware = await loadEntry();

    const response = await middleware(new Request('http://localhost/api/me'));

    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 500, code: 'internal_error', requestId });
    const lines = logged();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      event: 'request_failed',
      requestId,
      path: '/api/me',
    });
    // The configuration problem is for the operator's log, never for the caller.
    expect(JSON.stringify(body)).not.toContain('WIX_APP_SECRET');
  });
});
