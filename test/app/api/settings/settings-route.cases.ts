/**
 * The route-level battery for /api/settings (plus the /api/me and /api/health answers that depend
 * on the database), registered once per database engine: route.test.ts runs it on the in-memory
 * PGlite, route.postgres.test.ts on a real PostgreSQL. Every test uses fresh random instance ids,
 * so runs against one shared PostgreSQL never see each other's rows.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getHealth } from '@/app/api/health/route';
import { GET as getMe } from '@/app/api/me/route';
import * as settingsRoute from '@/app/api/settings/route';
import type { Engine } from 'wix-app-backend/db/open-database';
import type { Settings } from '@/lib/settings/settings-schema';
import { expectProblem, type TestApp } from '@/test/kit';

interface SettingsBody {
  settings: Settings;
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

const DEFAULTS: Settings = {
  greeting: 'Hello from your Wix app!',
  theme: 'light',
  notificationEmail: null,
};

const valid = (greeting = 'Hi there'): Settings => ({
  greeting,
  theme: 'dark',
  notificationEmail: 'owner@example.com',
});

interface As {
  instanceId: string;
  uid?: string | null;
  permissions?: string | null;
}

/** Registers the battery on the test app `open` builds (in beforeAll; closed in afterAll). */
export function settingsRouteCases(engine: Engine, open: () => Promise<TestApp>): void {
  let opened: TestApp | null = null;
  const kit = (): TestApp => {
    if (!opened) throw new Error('the test app did not open (see the beforeAll error)');
    return opened;
  };

  beforeAll(async () => {
    opened = await open(); // opens and migrates the database (≈ 2.3 s for PGlite)
  });
  afterAll(async () => {
    await opened?.close();
  });

  const credential = ({ instanceId, uid = 'user-1', permissions = 'OWNER' }: As) =>
    kit().signInstance({ instanceId, uid, permissions });

  async function get(as: As | null, path = '/api/settings'): Promise<Response> {
    return kit().call(settingsRoute.GET, path, { auth: as ? await credential(as) : undefined });
  }

  async function put(
    as: As | null,
    options: {
      ifMatch?: string;
      body?: unknown;
      rawBody?: string;
      contentType?: string;
      path?: string;
      token?: string;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      'content-type': options.contentType ?? 'application/json',
    };
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    return kit().call(settingsRoute.PUT, options.path ?? '/api/settings', {
      method: 'PUT',
      auth: options.token ?? (as ? await credential(as) : undefined),
      headers,
      body: options.rawBody ?? JSON.stringify(options.body ?? valid()),
    });
  }

  async function read(instanceId: string): Promise<SettingsBody> {
    const response = await get({ instanceId });
    expect(response.status).toBe(200);
    return (await response.json()) as SettingsBody;
  }

  /** Saves `settings` as the first version of a new instance; returns its id. */
  async function savedInstance(settings: Settings = valid(), uid = 'user-1'): Promise<string> {
    const instanceId = randomUUID();
    const response = await put({ instanceId, uid }, { ifMatch: '"0"', body: settings });
    expect(response.status).toBe(200);
    return instanceId;
  }

  describe('GET /api/settings', () => {
    it('answers the defaults at version 0, ETag "0", for an instance that never saved', async () => {
      const response = await get({ instanceId: randomUUID() });
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"0"');
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        settings: DEFAULTS,
        version: 0,
        updatedAt: null,
        updatedBy: null,
      });
    });

    it('reads a site member or visitor only the display fields, never the owner’s', async () => {
      const instanceId = await savedInstance({
        ...valid('Visible to everyone on the site'),
        notificationEmail: 'owner@example.com',
      });
      for (const as of [
        { instanceId, permissions: null }, // a site member: a uid, no owner permission
        { instanceId, permissions: null, uid: null }, // an anonymous visitor
      ]) {
        const response = await get(as);
        expect(response.status).toBe(200);
        expect(response.headers.get('etag')).toBe('"1"');
        expect(await response.json()).toEqual({
          settings: { greeting: 'Visible to everyone on the site', theme: 'dark' },
          version: 1,
        });
      }
      // The dashboard still reads everything.
      expect(await (await get({ instanceId })).json()).toMatchObject({
        settings: { notificationEmail: 'owner@example.com' },
        updatedBy: 'user-1',
      });
    });

    it('answers 401 without a credential', async () => {
      await expectProblem(await get(null), 401, 'missing_credentials');
    });
  });

  describe('PUT /api/settings', () => {
    it('saves version 1 from If-Match "0" and answers it with ETag "1"', async () => {
      const instanceId = randomUUID();
      const response = await put({ instanceId, uid: 'owner-9' }, { ifMatch: '"0"', body: valid() });
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"1"');
      const body = (await response.json()) as SettingsBody;
      expect(body).toMatchObject({ settings: valid(), version: 1, updatedBy: 'owner-9' });
      expect(Date.parse(body.updatedAt ?? '')).not.toBeNaN();

      const again = await get({ instanceId });
      expect(again.headers.get('etag')).toBe('"1"');
      expect(await again.json()).toEqual(body);
    });

    it('saves the next version with the current ETag', async () => {
      const instanceId = await savedInstance();
      const response = await put({ instanceId }, { ifMatch: '"1"', body: valid('Second') });
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"2"');
      expect(await read(instanceId)).toMatchObject({
        settings: { greeting: 'Second' },
        version: 2,
      });
    });

    it('answers 412 version_conflict, with the current ETag, for a stale If-Match', async () => {
      const instanceId = await savedInstance(valid('First'));
      const response = await put({ instanceId }, { ifMatch: '"0"', body: valid('Overwrite') });
      await expectProblem(response, 412, 'version_conflict');
      expect(response.headers.get('etag')).toBe('"1"');
      expect(await read(instanceId)).toMatchObject({ settings: { greeting: 'First' }, version: 1 });
    });

    it.each([
      ['a weak ETag', 'W/"0"'],
      ['an unquoted version', '0'],
    ])('answers 412 for If-Match with %s', async (_label, ifMatch) => {
      const instanceId = randomUUID();
      await expectProblem(await put({ instanceId }, { ifMatch }), 412, 'version_conflict');
      expect((await read(instanceId)).version).toBe(0);
    });

    it('answers 428 precondition_required without If-Match, and saves nothing', async () => {
      const instanceId = randomUUID();
      await expectProblem(await put({ instanceId }), 428, 'precondition_required');
      await expectProblem(
        await put({ instanceId }, { ifMatch: '*' }),
        428,
        'precondition_required',
      );
      expect((await read(instanceId)).version).toBe(0);
    });

    it('answers 400 invalid_settings for an unknown field, and saves nothing', async () => {
      const instanceId = randomUUID();
      const response = await put(
        { instanceId },
        { ifMatch: '"0"', body: { ...valid(), isPremium: true } },
      );
      const problem = await expectProblem(response, 400, 'invalid_settings');
      expect(problem.detail).toContain('isPremium');
      expect((await read(instanceId)).version).toBe(0);
    });

    it('answers 400 invalid_settings for a greeting over 200 characters', async () => {
      const response = await put(
        { instanceId: randomUUID() },
        { ifMatch: '"0"', body: valid('x'.repeat(201)) },
      );
      await expectProblem(response, 400, 'invalid_settings');
    });

    it('answers 400 invalid_json for a body that is not JSON', async () => {
      const response = await put(
        { instanceId: randomUUID() },
        { ifMatch: '"0"', rawBody: '{"greeting":' },
      );
      await expectProblem(response, 400, 'invalid_json');
    });

    it('answers 413 payload_too_large for a 17 KiB body', async () => {
      const instanceId = randomUUID();
      const rawBody = JSON.stringify({ ...valid(), padding: 'x'.repeat(17 * 1024) });
      await expectProblem(
        await put({ instanceId }, { ifMatch: '"0"', rawBody }),
        413,
        'payload_too_large',
      );
      expect((await read(instanceId)).version).toBe(0);
    });

    it('answers 415 unsupported_media_type for text/plain', async () => {
      const response = await put(
        { instanceId: randomUUID() },
        { ifMatch: '"0"', contentType: 'text/plain' },
      );
      await expectProblem(response, 415, 'unsupported_media_type');
    });

    it('answers 403 caller_not_allowed to a user who is not the owner, and saves nothing', async () => {
      const instanceId = await savedInstance(valid('Owner wrote this'));
      const response = await put(
        { instanceId, permissions: null },
        { ifMatch: '"1"', body: valid('Visitor wrote this') },
      );
      await expectProblem(response, 403, 'caller_not_allowed');
      expect(await read(instanceId)).toMatchObject({
        settings: { greeting: 'Owner wrote this' },
        version: 1,
      });
    });

    it('answers 401 without a credential', async () => {
      await expectProblem(await put(null, { ifMatch: '"0"' }), 401, 'missing_credentials');
    });

    it('answers 401 for a credential signed with another secret', async () => {
      const token = await kit().signInstance({
        instanceId: randomUUID(),
        secret: 'not-the-app-secret',
      });
      await expectProblem(await put(null, { ifMatch: '"0"', token }), 401, 'invalid_signature');
    });
  });

  describe('isolation between instances', () => {
    it('shows instance B the defaults after instance A saved', async () => {
      await savedInstance(valid('A private greeting'));
      const b = randomUUID();
      const response = await get({ instanceId: b });
      expect(response.headers.get('etag')).toBe('"0"');
      expect(await response.json()).toMatchObject({ settings: DEFAULTS, version: 0 });
    });

    it('ignores an instance id in the query or path of a GET', async () => {
      const a = await savedInstance(valid('A private greeting'));
      const b = randomUUID();
      for (const path of [`/api/settings?instanceId=${a}`, `/api/settings/${a}?instance=${a}`]) {
        const text = await (await get({ instanceId: b }, path)).text();
        expect(JSON.parse(text)).toMatchObject({ settings: DEFAULTS, version: 0 });
        expect(text).not.toContain('A private greeting');
      }
    });

    it('writes B’s own settings when B’s PUT names A in the query, leaving A unchanged', async () => {
      const a = await savedInstance(valid('A private greeting'), 'user-of-a');
      const b = randomUUID();
      const path = `/api/settings?instanceId=${a}`;
      // A is at version 1, B at 0: the version checked is B's.
      const stale = await put(
        { instanceId: b, uid: 'user-of-b' },
        { path, ifMatch: '"1"', body: valid('B overwrites A') },
      );
      await expectProblem(stale, 412, 'version_conflict');
      expect(stale.headers.get('etag')).toBe('"0"');

      const saved = await put(
        { instanceId: b, uid: 'user-of-b' },
        { path, ifMatch: '"0"', body: valid('B overwrites A') },
      );
      expect(saved.status).toBe(200);

      expect(await read(a)).toMatchObject({
        settings: { greeting: 'A private greeting' },
        version: 1,
        updatedBy: 'user-of-a',
      });
      expect(await read(b)).toMatchObject({
        settings: { greeting: 'B overwrites A' },
        version: 1,
        updatedBy: 'user-of-b',
      });
    });

    it('refuses an instanceId field in B’s body as unknown, leaving A unchanged', async () => {
      const a = await savedInstance(valid('A private greeting'));
      const b = randomUUID();
      const response = await put(
        { instanceId: b },
        {
          path: `/api/settings/${a}?instanceId=${a}`,
          ifMatch: '"1"',
          body: { ...valid('B overwrites A'), instanceId: a },
        },
      );
      const problem = await expectProblem(response, 400, 'invalid_settings');
      expect(problem.detail).toContain('instanceId');
      expect(await read(a)).toMatchObject({
        settings: { greeting: 'A private greeting' },
        version: 1,
      });
      expect((await read(b)).version).toBe(0);
    });

    it('never shows A’s instance in B’s /api/me', async () => {
      const a = await savedInstance();
      const b = randomUUID();
      const token = await credential({ instanceId: b });
      const response = await kit().call(getMe, `/api/me?instanceId=${a}`, { auth: token });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ instanceId: b });
      expect(text).not.toContain(a);
    });
  });

  describe('GET /api/me and GET /api/health', () => {
    it('answers the same firstSeenAt on every call, also after the memo is forgotten', async () => {
      const instanceId = randomUUID();
      const token = await credential({ instanceId });
      const me = async () => {
        const response = await kit().call(getMe, '/api/me', { auth: token });
        expect(response.status).toBe(200);
        return ((await response.json()) as { firstSeenAt: string }).firstSeenAt;
      };
      const before = Date.now();
      const first = await me();
      expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Date.parse(first)).toBeLessThanOrEqual(Date.now());

      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await me()).toBe(first);
      // Forgetting the process memo makes the next call go to the database.
      kit().database.instances.forget(instanceId);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await me()).toBe(first);
    });

    it(`answers status ok with the ${engine} engine`, async () => {
      const response = await kit().call(getHealth, '/api/health');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', database: { engine } });
    });
  });

  describe('concurrency', () => {
    it('lets exactly one of 50 concurrent first PUTs with If-Match "0" win', async () => {
      const instanceId = randomUUID();
      const token = await credential({ instanceId });
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          put(null, { token, ifMatch: '"0"', body: valid(`writer ${i}`) }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([200, ...Array(49).fill(412)]);
      const winner = responses.findIndex((r) => r.status === 200);
      expect(await read(instanceId)).toMatchObject({
        settings: { greeting: `writer ${winner}` },
        version: 1,
      });
    });

    it('lets exactly one of 50 concurrent PUTs with the same If-Match win', async () => {
      const instanceId = await savedInstance();
      const token = await credential({ instanceId });
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          put(null, { token, ifMatch: '"1"', body: valid(`writer ${i}`) }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(49);
      for (const r of responses) {
        if (r.status === 412) expect(r.headers.get('etag')).toBe('"2"');
      }
      const winner = statuses.indexOf(200);
      expect(await read(instanceId)).toMatchObject({
        settings: { greeting: `writer ${winner}` },
        version: 2,
      });
    });

    it(
      'loses no update when 16 clients make 200 increments by GET then PUT, retrying on 412',
      { timeout: 180_000 },
      async () => {
        const instanceId = randomUUID();
        const token = await credential({ instanceId });
        let conflicts = 0;

        const increment = async () => {
          for (let attempt = 0; attempt < 2_000; attempt++) {
            const current = await kit().call(settingsRoute.GET, '/api/settings', { auth: token });
            expect(current.status).toBe(200);
            const view = (await current.json()) as SettingsBody;
            const count =
              view.version === 0 ? 0 : Number(/^count:(\d+)$/.exec(view.settings.greeting)?.[1]);
            const response = await put(null, {
              token,
              ifMatch: current.headers.get('etag') ?? '',
              body: valid(`count:${count + 1}`),
            });
            if (response.status === 200) return;
            expect(response.status).toBe(412);
            conflicts++;
          }
          throw new Error('an increment kept conflicting');
        };

        let next = 0;
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (next < 200) {
              next++;
              await increment();
            }
          }),
        );
        expect(await read(instanceId)).toMatchObject({
          settings: { greeting: 'count:200' },
          version: 200,
        });
        // Without conflicts the clients never overlapped, and the test proved nothing.
        expect(conflicts).toBeGreaterThan(0);
      },
    );
  });
}
