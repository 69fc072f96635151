/**
 * The checklist of docs/connect-your-wix-app.md ("Check each piece"), run as written: each curl
 * row is parsed — method, path, headers — and sent to the route it names on a test app whose Wix
 * is the local emulator, with `$INSTANCE` a signed dashboard instance, `$WIX_APP_ID` the app's id
 * and `$CRON_SECRET` the configured secret. The status and every `"key":"value"` the row's
 * "expect" column shows must be in the answer: the doc cannot promise what the backend does not
 * answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from 'wix-app-backend';
import { createTestApp, TEST_APP_ID, type TestApp } from '@/test/kit';

const DOC = path.join(process.cwd(), 'docs', 'connect-your-wix-app.md');
const CRON_SECRET = 'checklist-cron-secret-0123456789abcdef';

interface Row {
  n: string;
  command: string;
  expect: string;
}

function checklist(): Row[] {
  const text = fs.readFileSync(DOC, 'utf8');
  const section = text.slice(text.indexOf('## 5. Check each piece'), text.indexOf('## 6.'));
  return section
    .split('\n')
    .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()))
    .filter((cells) => /^\d+$/.test(cells[1] ?? ''))
    .map((cells) => ({ n: cells[1]!, command: cells[2]!, expect: cells[3]! }));
}

interface Parsed {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/** A `curl …` row as a request; null for a row that is not a curl command. */
function parseCurl(command: string, vars: Record<string, string>): Parsed | null {
  const match = /^`(curl [^`]+)`$/.exec(command);
  if (!match) return null;
  const expand = (s: string) => s.replace(/\$([A-Z_]+)/g, (_, name: string) => vars[name] ?? '');
  const words = [...match[1]!.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) =>
    expand(m[1] ?? m[2] ?? m[3]!),
  );
  let method = 'GET';
  let url = '';
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-X') method = words[++i]!;
    else if (word === '-H') {
      const [name, ...value] = words[++i]!.split(':');
      headers[name!.trim().toLowerCase()] = value.join(':').trim();
    } else if (word === '-o' || word === '-w') i++;
    else if (!word.startsWith('-')) url = word;
  }
  return { method, path: new URL(url).pathname, headers };
}

let kit: TestApp;
let vars: Record<string, string>;
beforeAll(async () => {
  kit = await createTestApp({ emulator: true, env: { CRON_SECRET } });
  vars = {
    BACKEND: 'http://localhost:3000',
    INSTANCE: await kit.signInstance(),
    WIX_APP_ID: TEST_APP_ID,
    CRON_SECRET,
  };
});
afterAll(() => kit?.close());

const rows = checklist();

describe('docs/connect-your-wix-app.md, "Check each piece"', () => {
  it('is found, with its curl rows (a control)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(7);
    expect(rows.filter((row) => row.command.startsWith('`curl')).length).toBeGreaterThanOrEqual(6);
  });

  it.each(rows.filter((row) => row.command.startsWith('`curl')))(
    'row $n answers what the doc says',
    async (row) => {
      const request = parseCurl(row.command, vars)!;
      const expected = /`(\d{3})`/.exec(row.expect)?.[1];
      expect(expected, `row ${row.n} names no status`).toBeDefined();
      let response: Response;
      if (request.method === 'OPTIONS') {
        response = await kit.preflight(request.path, {
          origin: request.headers.origin!,
          method: request.headers['access-control-request-method'],
          headers: request.headers['access-control-request-headers']?.split(','),
        });
        const allowed = /`access-control-allow-origin: ([^`]+)`/.exec(row.expect)?.[1];
        expect(allowed).toBeDefined();
        expect(response.headers.get('access-control-allow-origin')).toBe(
          allowed!.replace('<App ID>', TEST_APP_ID),
        );
      } else {
        const module = (await import(`@/app${request.path}/route`)) as Record<string, Route>;
        const { authorization, ...headers } = request.headers;
        response = await kit.call(module[request.method]!, request.path, {
          method: request.method,
          auth: authorization,
          headers,
        });
      }
      expect(response.status, `row ${row.n}`).toBe(Number(expected));
      const body = response.status === 204 ? '' : await response.text();
      for (const [, pair] of row.expect.matchAll(/`[^`]*?("[a-zA-Z]+":"[^"]*")[^`]*`/g)) {
        expect(body, `row ${row.n}: ${pair}`).toContain(pair);
      }
    },
  );
});
