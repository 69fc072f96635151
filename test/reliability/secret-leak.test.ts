/**
 * Secrets stay on the server. The client bundle (.next/static) contains neither the test secret,
 * the development secret nor any WIX_APP_SECRET value from a local env file; and a server started
 * with distinctive canary secrets never puts them (raw, base64url or hex) in any response header
 * or body, nor in its own log, whatever the route and however good or bad the input.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { DEV_APP_SECRET } from 'wix-app-backend/config/dev-credentials';
import { startWixEmulator, type WixEmulator } from 'wix-app-backend/dev/wix-emulator';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';
import { PROJECT_ROOT } from '../e2e/helpers/paths';
import { startNextServer, type NextServer } from '../e2e/helpers/next-server';

const APP_SECRET = `leak-canary-app-${randomUUID()}`;
const CRON_SECRET = `leak-canary-cron-${randomUUID()}`;

/** Every form a secret could take on its way out. */
function forms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [secret, bytes.toString('base64url'), bytes.toString('base64'), bytes.toString('hex')];
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .flatMap((entry) => (entry.isFile() ? [path.join(entry.parentPath, entry.name)] : []));
}

/** WIX_APP_SECRET values from the developer's env files, if any (never committed). */
function localSecrets(): string[] {
  return ['.env', '.env.local', '.env.production', '.env.production.local']
    .map((name) => path.join(PROJECT_ROOT, name))
    .filter((file) => fs.existsSync(file))
    .flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => /^\s*WIX_APP_SECRET\s*=\s*["']?([^"'\s#]+)/.exec(line)?.[1])
        .filter((value): value is string => value !== undefined && value.length >= 8),
    );
}

describe('the client bundle', () => {
  it('contains no app secret in any file under .next/static', () => {
    const files = filesUnder(path.join(PROJECT_ROOT, '.next', 'static'));
    expect(files.length).toBeGreaterThan(0);
    const secrets = [TEST_APP_SECRET, DEV_APP_SECRET, ...localSecrets()].flatMap(forms);
    const found: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file).toString('latin1');
      for (const secret of secrets) {
        if (text.includes(secret))
          found.push(`${path.relative(PROJECT_ROOT, file)}: ${secret.slice(0, 6)}…`);
      }
    }
    expect(found).toEqual([]);
  });
});

describe('a server with canary secrets', () => {
  let emulator: WixEmulator | undefined;
  let server: NextServer | undefined;
  const seen: Array<{ label: string; text: string }> = [];

  beforeAll(async () => {
    emulator = await startWixEmulator({ appId: TEST_APP_ID, appSecret: APP_SECRET });
    server = await startNextServer({
      env: {
        WIX_APP_ID: TEST_APP_ID,
        WIX_APP_SECRET: APP_SECRET,
        CRON_SECRET,
        WIX_API_BASE_URL: emulator.url,
        CORS_ALLOW_LOCALHOST: 'true',
        // The chattiest log level: whatever the app can say, it says here.
        LOG_LEVEL: 'debug',
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await emulator?.close();
  });

  beforeEach(() => {
    onTestFailed(() => console.log(`next start output:\n${server?.output() ?? '(not started)'}`));
  });

  async function exchange(label: string, pathname: string, init: RequestInit = {}) {
    const response = await fetch(`${server!.url}${pathname}`, {
      ...init,
      signal: AbortSignal.timeout(20_000),
    });
    const body = await response.text();
    const headers = [...response.headers].map(([n, v]) => `${n}: ${v}`).join('\n');
    seen.push({ label: `${label} → ${response.status}`, text: `${headers}\n\n${body}` });
    return response.status;
  }

  it('never returns a secret, whatever the route and input', async () => {
    const instanceId = randomUUID();
    const valid = await signInstance(
      { instanceId, appDefId: TEST_APP_ID, uid: 'user-1', permissions: 'OWNER' },
      APP_SECRET,
    );
    const forged = await signInstance({ instanceId, appDefId: TEST_APP_ID }, 'guessed-secret');
    const token = emulator!.issueWidgetToken({ instanceId, subjectType: 'USER' });
    const credentials: Record<string, string | undefined> = {
      none: undefined,
      valid,
      forged,
      token,
      garbage: 'garbage.garbage',
      secret: APP_SECRET,
      bearerSecret: `Bearer ${APP_SECRET}`,
    };
    const routes = [
      '/api/health',
      '/api/me',
      '/api/settings',
      '/api/wix/instance',
      '/api/cron/purge',
      '/api/dev/instance',
      '/api/dev/access-token',
      '/api/webhooks/wix',
      '/api/nope',
      '/',
    ];
    for (const [name, credential] of Object.entries(credentials)) {
      const headers: Record<string, string> = { origin: 'http://localhost:3000' };
      if (credential) headers.authorization = credential;
      for (const route of routes) {
        for (const method of ['GET', 'POST', 'OPTIONS']) {
          await exchange(`${method} ${route} (${name})`, route, {
            method,
            headers:
              method === 'OPTIONS'
                ? { ...headers, 'access-control-request-method': 'GET' }
                : headers,
            body: method === 'POST' ? 'x' : undefined,
          });
        }
      }
      const etagAnswer = await fetch(`${server!.url}/api/settings`, {
        headers: credential ? { authorization: credential } : {},
      });
      const etag = etagAnswer.headers.get('etag') ?? '"0"';
      for (const body of [
        '{"greeting":"hi","theme":"dark"}',
        '{bad',
        `{"greeting":"${APP_SECRET}"}`,
      ]) {
        await exchange(`PUT /api/settings (${name}) ${body.slice(0, 12)}`, '/api/settings', {
          method: 'PUT',
          headers: { ...headers, 'content-type': 'application/json', 'if-match': etag },
          body,
        });
      }
    }
    for (const cron of [
      CRON_SECRET,
      `Bearer ${CRON_SECRET}`,
      'Bearer wrong',
      `Bearer ${CRON_SECRET}x`,
    ]) {
      await exchange(`cron ${cron.slice(0, 10)}`, '/api/cron/purge', {
        headers: { authorization: cron },
      });
    }
    // The instance really was served: the sweep exercised the success paths too.
    expect(seen.some((e) => e.label.startsWith('GET /api/me (valid) → 200'))).toBe(true);
    expect(seen.some((e) => e.label.startsWith('GET /api/wix/instance (valid) → 200'))).toBe(true);

    const leaks: string[] = [];
    for (const { label, text } of seen) {
      for (const secret of [...forms(APP_SECRET), ...forms(CRON_SECRET)]) {
        // A greeting the client itself sent may come back; the canary secret there would be the
        // client's own text, so that one exchange is judged on headers only.
        const checked = label.includes('{"greeting":"leak') ? text.split('\n\n')[0]! : text;
        if (checked.includes(secret)) leaks.push(`${label}: contains ${secret.slice(0, 10)}…`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('never writes a secret to its log', () => {
    const output = server!.output();
    expect(output.length).toBeGreaterThan(0);
    for (const secret of [...forms(APP_SECRET), ...forms(CRON_SECRET)]) {
      expect(output.includes(secret), `log contains ${secret.slice(0, 10)}…`).toBe(false);
    }
  });
});
