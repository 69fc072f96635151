import { describe, expect, it } from 'vitest';
import { createCors, type CorsOptions } from '@/lib/cors/create-cors';
import { OTHER_APP_ID, TEST_APP_ID } from '../../helpers/test-credentials';
import { apiRequest } from '../../helpers/requests';

const EXTRA_ORIGINS = ['https://a.example', 'http://localhost:4000'];
const WIX_RUN = `https://${TEST_APP_ID}.wix.run`;

function cors(options: Partial<CorsOptions> = {}) {
  return createCors({
    appId: TEST_APP_ID,
    allowedOrigins: EXTRA_ORIGINS,
    allowLocalhost: true,
    allowedMethods: ['GET'],
    ...options,
  });
}

const preflightRequest = (origin?: string) =>
  apiRequest('/api/me', {
    method: 'OPTIONS',
    headers: {
      ...(origin === undefined ? {} : { origin }),
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization,content-type',
    },
  });

const ALLOWED = [
  WIX_RUN,
  'http://localhost',
  'http://localhost:5173',
  'http://127.0.0.1:3000',
  'http://[::1]:8080',
  'http://[::1]',
  'http://localhost:65535',
  'http://localhost:1',
  ...EXTRA_ORIGINS,
];

const REFUSED = [
  `https://${TEST_APP_ID}.wix.run.evil.example`,
  `https://evil.example/?https://${TEST_APP_ID}.wix.run`,
  `https://x${TEST_APP_ID}.wix.run`,
  `https://${TEST_APP_ID}.wix.run:8443`,
  'http://localhost.evil.example',
  'http://localhost@evil.example',
  'https://evil.example/?http://localhost',
  'http://evil.example#http://localhost',
  'null',
  `https://${OTHER_APP_ID}.wix.run`,
  `http://${TEST_APP_ID}.wix.run`,
  `https://${TEST_APP_ID}.wix.run/`,
  // Browsers serialise the Origin host in lowercase; anything else is not what a browser sends.
  `https://${TEST_APP_ID.toUpperCase()}.wix.run`,
  'https://localhost:5173',
  'http://localhost:99999',
  'http://localhost:65536',
  'http://localhost:0',
  'http://localhost:0080',
  'http://localhost:',
  'http://localhost/',
  ' http://localhost',
  'http://localhost ',
  'http://LOCALHOST',
  'http://127.0.0.2',
  'http://0.0.0.0:3000',
  '',
  'https://a.example.evil.example',
  'https://a.example:8443',
  'http://a.example',
  '*',
];

describe('createCors: origin table', () => {
  const policy = cors();

  it.each(ALLOWED)('allows %s', (origin) => {
    expect(policy.isOriginAllowed(origin)).toBe(true);
    expect(policy.decide(apiRequest('/api/me', { headers: { origin } }))).toEqual({
      kind: 'allowed',
      origin,
    });
  });

  it.each(REFUSED)('refuses %j', (origin) => {
    expect(policy.isOriginAllowed(origin)).toBe(false);
  });

  it.each(REFUSED.filter((origin) => origin.trim() === origin && origin !== ''))(
    'decides "refused" for a request from %j',
    (origin) => {
      expect(policy.decide(apiRequest('/api/me', { headers: { origin } }))).toEqual({
        kind: 'refused',
        origin,
      });
    },
  );

  it('decides "no-origin" for a request without an Origin header', () => {
    expect(policy.decide(apiRequest('/api/me'))).toEqual({ kind: 'no-origin' });
    expect(policy.isOriginAllowed(null)).toBe(false);
  });

  it('matches the wix.run origin when the app id was given in uppercase', () => {
    expect(cors({ appId: TEST_APP_ID.toUpperCase() }).isOriginAllowed(WIX_RUN)).toBe(true);
  });
});

describe('createCors: allowLocalhost false', () => {
  const policy = cors({ allowLocalhost: false });

  it.each([
    'http://localhost',
    'http://localhost:5173',
    'http://127.0.0.1:3000',
    'http://[::1]:8080',
  ])('refuses %s', (origin) => {
    expect(policy.isOriginAllowed(origin)).toBe(false);
  });

  it('still allows a localhost origin listed explicitly', () => {
    expect(policy.isOriginAllowed('http://localhost:4000')).toBe(true);
    expect(policy.isOriginAllowed('http://localhost:4001')).toBe(false);
  });

  it('still allows the app’s wix.run origin', () => {
    expect(policy.isOriginAllowed(WIX_RUN)).toBe(true);
  });
});

describe('createCors: preflight', () => {
  const policy = cors({ allowedMethods: ['GET', 'POST'] });

  it.each(ALLOWED)('answers a preflight from %s with 204 and the CORS headers', (origin) => {
    const response = policy.preflight(preflightRequest(origin));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
    const allowHeaders = (response.headers.get('access-control-allow-headers') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase());
    expect(allowHeaders).toContain('authorization');
    expect(allowHeaders).toContain('content-type');
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
    expect(response.headers.has('access-control-allow-credentials')).toBe(false);
  });

  it('never answers with a wildcard', () => {
    for (const origin of ALLOWED) {
      const response = policy.preflight(preflightRequest(origin));
      for (const [, value] of response.headers) expect(value.trim()).not.toBe('*');
    }
  });

  it('has no body in a successful preflight', async () => {
    expect(await policy.preflight(preflightRequest(WIX_RUN)).text()).toBe('');
  });

  it.each(REFUSED.filter((origin) => origin.trim() === origin && origin !== ''))(
    'refuses a preflight from %j with a 403 problem and no Access-Control-Allow-Origin',
    async (origin) => {
      const response = policy.preflight(preflightRequest(origin));
      expect(response.status).toBe(403);
      expect(response.headers.has('access-control-allow-origin')).toBe(false);
      expect(response.headers.has('access-control-allow-methods')).toBe(false);
      expect(response.headers.has('access-control-allow-credentials')).toBe(false);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 403, code: 'origin_not_allowed' });
    },
  );

  it('refuses a preflight that carries no Origin header', () => {
    const response = policy.preflight(preflightRequest());
    expect(response.status).toBe(403);
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
  });
});

describe('createCors: actual responses', () => {
  const policy = cors();

  it('echoes an allowed origin exactly and varies on Origin', () => {
    const headers = policy.responseHeaders({ kind: 'allowed', origin: WIX_RUN });
    expect(headers['access-control-allow-origin']).toBe(WIX_RUN);
    expect(headers.vary).toBe('Origin');
    expect(headers['access-control-allow-credentials']).toBeUndefined();
    expect(headers['access-control-expose-headers']?.toLowerCase()).toContain('www-authenticate');
  });

  it('gives a refused or absent origin no Access-Control-Allow-Origin, only Vary', () => {
    expect(policy.responseHeaders({ kind: 'refused', origin: 'https://evil.example' })).toEqual({
      vary: 'Origin',
    });
    expect(policy.responseHeaders({ kind: 'no-origin' })).toEqual({ vary: 'Origin' });
  });

  it('refuses with a 403 origin_not_allowed problem', async () => {
    const response = policy.refuse();
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
    expect(await response.json()).toMatchObject({ code: 'origin_not_allowed' });
  });
});
