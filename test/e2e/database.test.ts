/**
 * The data layer as an operator meets it, over real HTTP against `next start`: PGlite data that
 * survives a restart, a second process on the same data dir refused, and the same app on a real
 * PostgreSQL shared by two server processes without losing an update.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { printOutputOnFailure } from './helpers/http';
import { runNextUntilExit, startNextServer, type NextServer } from './helpers/next-server';

const SECRETS = { WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET };

const instanceFor = (instanceId: string, owner = true) =>
  signInstance(
    {
      instanceId,
      appDefId: TEST_APP_ID,
      uid: `user-${instanceId.slice(0, 8)}`,
      permissions: owner ? 'OWNER' : null,
    },
    TEST_APP_SECRET,
  );

async function call(
  server: NextServer,
  instance: string,
  method = 'GET',
  body?: unknown,
  ifMatch?: string,
) {
  const headers: Record<string, string> = { authorization: instance };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = ifMatch;
  const response = await fetch(`${server.url}/api/settings`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function me(server: NextServer, instance: string) {
  const response = await fetch(`${server.url}/api/me`, { headers: { authorization: instance } });
  expect(response.status).toBe(200);
  return (await response.json()) as { instanceId: string; firstSeenAt: string };
}

/** 50 PUTs at once, all naming the same version: exactly one may win. */
async function racingPuts(servers: NextServer[], instance: string) {
  const before = await call(servers[0]!, instance);
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      call(
        servers[i % servers.length]!,
        instance,
        'PUT',
        { greeting: `writer ${i}`, theme: 'dark' },
        before.etag!,
      ),
    ),
  );
  const statuses = results.map((r) => r.status).sort();
  const after = await call(servers[0]!, instance);
  return {
    before,
    after,
    ok: statuses.filter((s) => s === 200).length,
    conflicts: statuses.filter((s) => s === 412).length,
  };
}

/** Read-modify-write increments with retry on 412, spread over the servers and 10 workers. */
async function increments(servers: NextServer[], instance: string, total: number) {
  let next = 0;
  const worker = async (w: number) => {
    while (next < total) {
      next++;
      for (let attempt = 0; ; attempt++) {
        if (attempt > 500) throw new Error('an increment never got through');
        const server = servers[(w + attempt) % servers.length]!;
        const read = await call(server, instance);
        const count =
          Number(
            String((read.body.settings as { greeting: string }).greeting).replace('count:', ''),
          ) || 0;
        const write = await call(
          server,
          instance,
          'PUT',
          { greeting: `count:${count + 1}`, theme: 'light' },
          read.etag!,
        );
        if (write.status === 200) break;
        expect(write.status, JSON.stringify(write.body)).toBe(412);
      }
    }
  };
  await Promise.all(Array.from({ length: 10 }, (_, w) => worker(w)));
  return call(servers[0]!, instance);
}

describe('embedded PGlite under next start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wix-e2e-pglite-'));
  let server: NextServer | undefined;

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps settings and first-seen time across a restart', async () => {
    const instanceId = randomUUID();
    const instance = await instanceFor(instanceId);
    server = await startNextServer({ env: { ...SECRETS, DATA_DIR: dataDir } });
    const firstSeen = (await me(server, instance)).firstSeenAt;
    const saved = await call(
      server,
      instance,
      'PUT',
      { greeting: 'survives restarts', theme: 'dark' },
      '"0"',
    );
    expect(saved.status).toBe(200);
    await server.stop();

    server = await startNextServer({ env: { ...SECRETS, DATA_DIR: dataDir } });
    const read = await call(server, instance);
    expect(read.status).toBe(200);
    expect(read.etag).toBe('"1"');
    expect(read.body.settings).toMatchObject({ greeting: 'survives restarts', theme: 'dark' });
    expect((await me(server, instance)).firstSeenAt).toBe(firstSeen);
  });

  it('refuses a second process on the same data dir, naming the holder and DATABASE_URL', async () => {
    expect(server, 'the first test leaves a server running').toBeDefined();
    const second = await runNextUntilExit({
      env: { ...SECRETS, DATA_DIR: dataDir },
      timeoutMs: 30_000,
    });
    const output = `${second.stdout}\n${second.stderr}`;
    expect(second.code, output).not.toBe(0);
    expect(second.code, output).not.toBeNull();
    expect(output).toContain('is in use by process');
    expect(output).toContain('DATABASE_URL');
    // The first server is unharmed.
    expect((await fetch(`${server!.url}/api/health`)).status).toBe(200);
  });

  it('lets exactly one of 50 concurrent PUTs with the same If-Match through', async () => {
    const { before, after, ok, conflicts } = await racingPuts(
      [server!],
      await instanceFor(randomUUID()),
    );
    expect(ok).toBe(1);
    expect(conflicts).toBe(49);
    expect(after.body.version).toBe(Number(before.body.version) + 1);
  });

  it('loses none of 200 read-modify-write increments', async () => {
    const final = await increments([server!], await instanceFor(randomUUID()), 200);
    expect((final.body.settings as { greeting: string }).greeting).toBe('count:200');
    expect(final.body.version).toBe(200);
  });
});

/**
 * The same two-process battery on PostgreSQL directly and through PgBouncer in transaction mode
 * (what a hosted database's pooled URL is): there consecutive statements of one client connection
 * may run on different server connections, so anything bound to a server session — a named
 * prepared statement, a session advisory lock, a SET — breaks under concurrency (decision 028).
 */
const postgresTargets = [
  ['PostgreSQL', process.env.TEST_DATABASE_URL],
  ['PostgreSQL behind PgBouncer in transaction mode', process.env.TEST_POOLED_DATABASE_URL],
] as const;

// The direct and the pooled target at once, and their tests at once (each on instances of its
// own): these tests wait on round trips far more than they compute, and what they check —
// no lost update, one winner, no 5xx — only gets harder under more concurrency.
describe.concurrent('PostgreSQL', () => {
  describe.each(postgresTargets)('%s shared by two next start processes', (_name, url) => {
    const servers: NextServer[] = [];
    printOutputOnFailure(() => servers);

    beforeAll(async () => {
      if (!url) return;
      // Started together: both apply migrations at once, which the advisory lock must serialise.
      const env = { ...SECRETS, DATABASE_URL: url };
      servers.push(...(await Promise.all([startNextServer({ env }), startNextServer({ env })])));
    });

    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()));
    });

    it.skipIf(!url)('reports the postgres engine from both processes', async () => {
      for (const server of servers) {
        const health = (await (await fetch(`${server.url}/api/health`)).json()) as Record<
          string,
          unknown
        >;
        expect(health).toEqual({ status: 'ok', database: { engine: 'postgres' } });
      }
    });

    it.skipIf(!url)(
      'lets exactly one of 50 concurrent PUTs across both processes through',
      async () => {
        const { before, after, ok, conflicts } = await racingPuts(
          servers,
          await instanceFor(randomUUID()),
        );
        expect(ok).toBe(1);
        expect(conflicts).toBe(49);
        expect(after.body.version).toBe(Number(before.body.version) + 1);
      },
    );

    it.skipIf(!url)('loses none of 200 increments spread over both processes', async () => {
      const final = await increments(servers, await instanceFor(randomUUID()), 200);
      expect((final.body.settings as { greeting: string }).greeting).toBe('count:200');
      expect(final.body.version).toBe(200);
    });

    it.skipIf(!url)('keeps instances apart: B never sees or changes A', async () => {
      const a = await instanceFor(randomUUID());
      const b = await instanceFor(randomUUID());
      expect(
        (await call(servers[0]!, a, 'PUT', { greeting: 'A only', theme: 'dark' }, '"0"')).status,
      ).toBe(200);
      const seenByB = await call(servers[1]!, b);
      expect(seenByB.body.version).toBe(0);
      expect((seenByB.body.settings as { greeting: string }).greeting).not.toBe('A only');
      expect(
        (await call(servers[1]!, b, 'PUT', { greeting: 'B', theme: 'light' }, '"1"')).status,
      ).toBe(412);
      expect((await call(servers[0]!, a)).body.settings).toMatchObject({ greeting: 'A only' });
    });

    // What a production deployment meets: many sites at once, each request on whichever process
    // and pooled connection is free. On PgBouncer with named prepared statements this answered
    // 571 of 750 requests with 500 (prepared statement "…" does not exist).
    it.skipIf(!url)('answers 30 sites at once on both processes without a 5xx', async () => {
      const sites = await Promise.all(Array.from({ length: 30 }, () => instanceFor(randomUUID())));
      const statuses = await Promise.all(
        sites.map(async (instance, i) => {
          const server = servers[i % 2]!;
          const seen: number[] = [];
          for (let round = 0; round < 5; round++) {
            const other = servers[(i + round) % 2]!;
            seen.push(
              (await fetch(`${other.url}/api/me`, { headers: { authorization: instance } })).status,
            );
            const read = await call(server, instance);
            seen.push(read.status);
            seen.push(
              (
                await call(
                  other,
                  instance,
                  'PUT',
                  { greeting: `round ${round}`, theme: 'dark' },
                  read.etag!,
                )
              ).status,
            );
            const note = await fetch(`${other.url}/api/notes`, {
              method: 'POST',
              headers: { authorization: instance, 'content-type': 'application/json' },
              body: JSON.stringify({ title: `note ${round}` }),
            });
            seen.push(note.status);
            seen.push(
              (await fetch(`${server.url}/api/notes`, { headers: { authorization: instance } }))
                .status,
            );
          }
          return seen;
        }),
      );
      const all = statuses.flat();
      expect(all).toHaveLength(30 * 5 * 5);
      expect(all.filter((s) => s >= 500)).toEqual([]);
      // Each site is its own writer, so every write lands: no 412 either.
      expect(new Set(all)).toEqual(new Set([200, 201]));
    });
  });
});
