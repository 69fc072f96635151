/**
 * Every variable the configuration schema reads is one a person can find: a row in the
 * configuration table of docs/configuration.md (the README links it; the table lived in the
 * README before) and a line in .env.example. CONFIG_VARIABLES comes from the schema itself, so a
 * variable added there without documentation fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from 'wix-app-backend/config/env';
import { ROOT } from './project-files';

/** Set by a platform or by `npm run dev`, never by the person configuring the app. */
const SET_FOR_YOU = new Set([
  'VERCEL',
  'VERCEL_OTEL_ENDPOINTS',
  'WIX_EMULATOR',
  'WIX_DEV_WEBHOOK_SIGNING_KEY',
]);

const configurationDoc = fs.readFileSync(path.join(ROOT, 'docs/configuration.md'), 'utf8');
const envExample = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const documented = CONFIG_VARIABLES.filter((name) => !SET_FOR_YOU.has(name));

describe('configuration documentation', () => {
  it('knows the variables it leaves out', () => {
    for (const name of SET_FOR_YOU) expect(CONFIG_VARIABLES).toContain(name);
    expect(documented.length).toBeGreaterThan(20);
  });

  it.each(documented)('%s has a row in the configuration table (docs/configuration.md)', (name) => {
    expect(configurationDoc).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  });

  it.each(documented)('%s has a line in .env.example', (name) => {
    expect(envExample).toMatch(new RegExp(`^${name}=`, 'm'));
  });
});
