import { describe, expect, it } from 'vitest';
import { STANDARD_METHODS, createCors, type CorsOptions } from '../../src/cors/create-cors';
import { OTHER_APP_ID, TEST_APP_ID } from '../../src/testing/test-credentials';
import { apiRequest } from '../../src/testing/requests';

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

describe('createCors: preflight headers', () => {
  const policy = cors({ allowedMethods: ['GET', 'POST'] });

  it.each(ALLOWED)('gives a preflight from %s the CORS headers of its 204', (origin) => {
    const headers = policy.preflightHeaders(preflightRequest(origin));
    expect(headers).not.toBeNull();
    expect(headers!['access-control-allow-origin']).toBe(origin);
    expect(headers!['access-control-allow-methods']).toBe('GET, POST');
    const allowHeaders = (headers!['access-control-allow-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase());
    expect(allowHeaders).toContain('authorization');
    expect(allowHeaders).toContain('content-type');
    expect(allowHeaders).toContain('if-match');
    expect(Number(headers!['access-control-max-age'])).toBeGreaterThan(0);
    expect(headers!.vary?.toLowerCase()).toContain('origin');
    expect(headers!['access-control-allow-credentials']).toBeUndefined();
  });

  it('never answers with a wildcard', () => {
    for (const origin of ALLOWED) {
      const headers = policy.preflightHeaders(preflightRequest(origin)) ?? {};
      for (const value of Object.values(headers)) expect(value.trim()).not.toBe('*');
    }
  });

  it('allows the standard methods when none are configured', () => {
    const headers = cors({ allowedMethods: undefined }).preflightHeaders(preflightRequest(WIX_RUN));
    expect(STANDARD_METHODS).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
    expect(headers?.['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE');
  });

  it.each(REFUSED.filter((origin) => origin.trim() === origin && origin !== ''))(
    'gives a preflight from %j no CORS headers at all (null: the gate refuses it)',
    (origin) => {
      expect(policy.preflightHeaders(preflightRequest(origin))).toBeNull();
    },
  );

  it('gives a preflight that carries no Origin header no CORS headers (null)', () => {
    expect(policy.preflightHeaders(preflightRequest())).toBeNull();
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
});
