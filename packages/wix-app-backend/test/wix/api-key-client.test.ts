import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/env';
import { apiKeyHeaders, createWixApiKeyClient } from '../../src/wix/api-key-client';
import { WixApiError } from '../../src/wix/wix-api-error';
import { createWixFetch } from '../../src/wix/wix-fetch';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';
import {
  rejectionOf,
  sendJson,
  startTinyServer,
  wixErrorBody,
  type TinyServer,
} from './wix-harness';

const KEY = 'IST.eyJraWQiOiJQb3pIX2FDMiIsImFsZyI6IlJTMjU2In0.api-key-material';
const SITE_ID = '6b4c2e1a-0f3d-4c5b-9a8e-7d6c5b4a3f2e';
const ACCOUNT_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

let wix: TinyServer;
let status = 200;

beforeAll(async () => {
  wix = await startTinyServer((_request, res) =>
    status === 200
      ? sendJson(res, 200, { properties: { siteDisplayName: 'My site' } })
      : sendJson(res, status, wixErrorBody('UNAUTHENTICATED')),
  );
});
afterAll(async () => {
  await wix.close();
});
beforeEach(() => {
  wix.requests.length = 0;
  status = 200;
});

const wixFetch = () => createWixFetch({ baseUrl: wix.url });
const lastHeaders = () => wix.requests.at(-1)!.headers;

describe('createWixApiKeyClient', () => {
  it('sends the raw key (no Bearer) with wix-site-id, and no wix-account-id, for a site key', async () => {
    const client = createWixApiKeyClient({ key: KEY, siteId: SITE_ID }, wixFetch());
    const body = await client.request({ path: '/site-properties/v4/properties' });
    expect(body).toEqual({ properties: { siteDisplayName: 'My site' } });
    const headers = lastHeaders();
    expect(headers.authorization).toBe(KEY);
    expect(headers['wix-site-id']).toBe(SITE_ID);
    expect(headers).not.toHaveProperty('wix-account-id');
  });

  it('sends the raw key with wix-account-id, and no wix-site-id, for an account key', async () => {
    const client = createWixApiKeyClient({ key: KEY, accountId: ACCOUNT_ID }, wixFetch());
    await client.request({ method: 'POST', path: '/site-list/v2/sites/query', body: {} });
    const headers = lastHeaders();
    expect(headers.authorization).toBe(KEY);
    expect(headers['wix-account-id']).toBe(ACCOUNT_ID);
    expect(headers).not.toHaveProperty('wix-site-id');
  });

  it('keeps the caller’s other headers and body', async () => {
    const client = createWixApiKeyClient({ key: KEY, siteId: SITE_ID }, wixFetch());
    await client.request({
      method: 'POST',
      path: '/x',
      headers: { 'x-trace': 't-1' },
      body: { query: {} },
    });
    expect(lastHeaders()['x-trace']).toBe('t-1');
    expect(wix.requests.at(-1)!.body).toBe('{"query":{}}');
  });

  it('never lets a caller’s authorization header replace the key', async () => {
    const client = createWixApiKeyClient({ key: KEY, siteId: SITE_ID }, wixFetch());
    await client.request({ path: '/x', headers: { authorization: 'Bearer someone-else' } });
    expect(lastHeaders().authorization).toBe(KEY);
  });

  // Header names are case-insensitive, but the headers are merged as a plain object: a caller's
  // `Authorization` survives next to our `authorization`, and fetch joins the two values.
  it('never sends a caller’s Authorization (other case) alongside the key', async () => {
    const client = createWixApiKeyClient({ key: KEY, siteId: SITE_ID }, wixFetch());
    await client.request({ path: '/x', headers: { Authorization: 'Bearer someone-else' } });
    expect(lastHeaders().authorization).toBe(KEY);
  });

  it('fails with a WixApiError when Wix refuses the key', async () => {
    status = 401;
    const client = createWixApiKeyClient({ key: 'revoked', siteId: SITE_ID }, wixFetch());
    const error = await rejectionOf(client.request({ path: '/x' }));
    expect(error).toBeInstanceOf(WixApiError);
    expect(error).toMatchObject({ kind: 'http', status: 401 });
    expect(wix.requests).toHaveLength(1);
  });
});

describe('apiKeyHeaders', () => {
  it('builds exactly the two headers for each kind of key', () => {
    expect(apiKeyHeaders({ key: KEY, siteId: SITE_ID })).toEqual({
      authorization: KEY,
      'wix-site-id': SITE_ID,
    });
    expect(apiKeyHeaders({ key: KEY, accountId: ACCOUNT_ID })).toEqual({
      authorization: KEY,
      'wix-account-id': ACCOUNT_ID,
    });
  });
});

describe('parseConfig: API-key mode', () => {
  const base = { WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET };

  it('takes a key with a site id', () => {
    const result = parseConfig({ ...base, WIX_API_KEY: KEY, WIX_SITE_ID: SITE_ID });
    expect(result).toMatchObject({ ok: true, value: { wixApiKey: { key: KEY, siteId: SITE_ID } } });
    if (result.ok) expect(result.value.wixApiKey).not.toHaveProperty('accountId');
  });

  it('takes a key with an account id', () => {
    const result = parseConfig({ ...base, WIX_API_KEY: KEY, WIX_ACCOUNT_ID: ACCOUNT_ID });
    expect(result).toMatchObject({
      ok: true,
      value: { wixApiKey: { key: KEY, accountId: ACCOUNT_ID } },
    });
    if (result.ok) expect(result.value.wixApiKey).not.toHaveProperty('siteId');
  });

  it('has no API key by default, and treats blank values as unset', () => {
    expect(parseConfig(base)).toMatchObject({ ok: true, value: { wixApiKey: null } });
    expect(
      parseConfig({ ...base, WIX_API_KEY: ' ', WIX_SITE_ID: '', WIX_ACCOUNT_ID: '' }),
    ).toMatchObject({ ok: true, value: { wixApiKey: null } });
  });

  it.each([
    ['both a site id and an account id', { WIX_SITE_ID: SITE_ID, WIX_ACCOUNT_ID: ACCOUNT_ID }],
    ['neither id', {}],
    ['a blank site id', { WIX_SITE_ID: '  ' }],
  ])('refuses a key with %s', (_name, ids) => {
    const result = parseConfig({ ...base, WIX_API_KEY: KEY, ...ids });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([expect.stringMatching(/^WIX_API_KEY: .*exactly one/)]);
    }
  });

  it.each([
    ['WIX_SITE_ID', SITE_ID],
    ['WIX_ACCOUNT_ID', ACCOUNT_ID],
  ])('refuses %s without a key', (name, value) => {
    const result = parseConfig({ ...base, [name]: value });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([
        expect.stringMatching(new RegExp(`^${name}: .*WIX_API_KEY`)),
      ]);
    }
  });

  it('never prints the key in a problem', () => {
    const result = parseConfig({ ...base, WIX_API_KEY: KEY });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).not.toContain(KEY);
  });
});
