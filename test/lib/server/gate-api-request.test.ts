import { describe, expect, it } from 'vitest';
import { expectConsoleError } from '../../setup';
import { IDENTITY_HEADER, createIdentityForwarder } from '@/lib/auth/forwarded-identity';
import { createLogger } from '@/lib/log';
import { gateApiRequest, type GateResult } from '@/lib/server/gate-api-request';
import { INSTANCE_A, INSTANCE_B, testInstance } from '../../helpers/instances';
import { apiRequest } from '../../helpers/requests';
import { OTHER_APP_ID, TEST_APP_ID, TEST_APP_SECRET, testContext } from '../../helpers/test-config';

const ORIGIN = `https://${TEST_APP_ID}.wix.run`;
const EVIL = 'https://evil.example';

function respond(result: GateResult): Response {
  if (result.kind !== 'respond') throw new Error('expected the gate to respond');
  return result.response;
}

function proceed(result: GateResult) {
  if (result.kind !== 'continue') throw new Error('expected the gate to let the request through');
  return result;
}

async function everythingSent(response: Response): Promise<string> {
  return [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n') + (await response.text());
}

describe('gateApiRequest: CORS comes first', () => {
  it('answers a preflight from an allowed origin without needing credentials', async () => {
    const response = respond(
      await gateApiRequest(
        apiRequest('/api/me', {
          method: 'OPTIONS',
          headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
        }),
        testContext(),
      ),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
  });

  it('answers a preflight before looking at a broken Authorization header', async () => {
    const response = respond(
      await gateApiRequest(
        apiRequest('/api/me', {
          method: 'OPTIONS',
          headers: { origin: ORIGIN, authorization: 'garbage' },
        }),
        testContext(),
      ),
    );
    expect(response.status).toBe(204);
  });

  it('refuses a preflight from a refused origin with 403', async () => {
    const response = respond(
      await gateApiRequest(
        apiRequest('/api/me', { method: 'OPTIONS', headers: { origin: EVIL } }),
        testContext(),
      ),
    );
    expect(response.status).toBe(403);
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
  });

  it('refuses an actual request from a refused origin even with a valid instance', async () => {
    const response = respond(
      await gateApiRequest(
        apiRequest('/api/me', { headers: { origin: EVIL, authorization: await testInstance() } }),
        testContext(),
      ),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
    expect(await response.json()).toMatchObject({ code: 'origin_not_allowed' });
  });

  it('refuses a refused origin on a public path too', async () => {
    const response = respond(
      await gateApiRequest(apiRequest('/api/health', { headers: { origin: EVIL } }), testContext()),
    );
    expect(response.status).toBe(403);
  });

  it('refuses localhost when the configuration turns it off', async () => {
    const ctx = testContext({ CORS_ALLOW_LOCALHOST: 'false' });
    const response = respond(
      await gateApiRequest(
        apiRequest('/api/health', { headers: { origin: 'http://localhost:5173' } }),
        ctx,
      ),
    );
    expect(response.status).toBe(403);
  });
});

describe('gateApiRequest: authentication', () => {
  it('answers 401 missing_credentials with CORS headers and a challenge when no credential is sent', async () => {
    const response = respond(
      await gateApiRequest(apiRequest('/api/me', { headers: { origin: ORIGIN } }), testContext()),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 401, code: 'missing_credentials' });
  });

  it('answers 401 without CORS headers to a request that sent no Origin', async () => {
    const response = respond(await gateApiRequest(apiRequest('/api/me'), testContext()));
    expect(response.status).toBe(401);
    expect(response.headers.has('access-control-allow-origin')).toBe(false);
  });

  const now = Date.now();
  const badCredentials: [string, () => Promise<string>, string][] = [
    ['"Bearer " alone', async () => 'Bearer ', 'malformed_credentials'],
    ['two tokens', async () => 'abc.def ghi.jkl', 'malformed_credentials'],
    ['an over-long value', async () => 'x'.repeat(9000), 'malformed_credentials'],
    ['no dot', async () => 'garbage', 'malformed_credentials'],
    ['a lone dot', async () => '.', 'malformed_credentials'],
    ['Latin-1 bytes', async () => 'é.é', 'malformed_credentials'],
    ['another secret’s signature', () => testInstance({}, 'other-secret'), 'invalid_signature'],
    ['another app’s instance', () => testInstance({ appDefId: OTHER_APP_ID }), 'wrong_app'],
    [
      'an instance signed two days ago',
      () => testInstance({ signDate: new Date(now - 2 * 86_400_000).toISOString() }),
      'expired_instance',
    ],
    [
      'an instance signed an hour ahead',
      () => testInstance({ signDate: new Date(now + 3_600_000).toISOString() }),
      'instance_not_yet_valid',
    ],
  ];

  it.each(badCredentials)(
    'refuses %s with a 401 problem that names the reason and keeps CORS headers',
    async (_label, make, code) => {
      const credential = await make();
      const response = respond(
        await gateApiRequest(
          apiRequest('/api/me', { headers: { origin: ORIGIN, authorization: credential } }),
          testContext(),
        ),
      );
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('www-authenticate')).toContain(`error_description="${code}"`);
      expect(await response.json()).toMatchObject({ code });
    },
  );

  it.each(badCredentials)(
    'never leaks the app secret or the credential when refusing %s',
    async (_label, make) => {
      const credential = await make();
      const response = respond(
        await gateApiRequest(
          apiRequest('/api/me', { headers: { origin: ORIGIN, authorization: credential } }),
          testContext(),
        ),
      );
      const sent = await everythingSent(response);
      expect(sent).not.toContain(TEST_APP_SECRET);
      // Short values such as "Bearer" legitimately appear in the challenge header.
      if (credential.length > 8) expect(sent).not.toContain(credential);
    },
  );

  it('logs the refusal reason but neither the credential nor the secret', async () => {
    const lines: string[] = [];
    const ctx = { ...testContext(), log: createLogger('debug', (line) => lines.push(line)) };
    const credential = await testInstance({}, 'other-secret');
    await gateApiRequest(apiRequest('/api/me', { headers: { authorization: credential } }), ctx);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('invalid_signature');
    expect(lines[0]).not.toContain(credential);
    expect(lines[0]).not.toContain(credential.split('.')[0]);
    expect(lines[0]).not.toContain(TEST_APP_SECRET);
  });

  it('lets a valid instance through with a sealed identity that opens for that credential', async () => {
    const ctx = testContext();
    const credential = await testInstance();
    const gate = proceed(
      await gateApiRequest(
        apiRequest('/api/me', { headers: { origin: ORIGIN, authorization: credential } }),
        ctx,
      ),
    );
    const sealed = gate.requestHeaders.get(IDENTITY_HEADER);
    expect(sealed).toBeTruthy();
    expect(await ctx.forwarder.open(sealed!, credential)).toMatchObject({
      credential: 'signed-instance',
      instanceId: INSTANCE_A,
      uid: 'user-1',
      isOwner: true,
    });
    expect(gate.responseHeaders['access-control-allow-origin']).toBe(ORIGIN);
    expect(gate.responseHeaders.vary).toBe('Origin');
    expect(gate.requestHeaders.get('authorization')).toBe(credential);
    expect(JSON.stringify(gate.responseHeaders)).not.toContain(credential);
    expect(sealed).not.toContain(TEST_APP_SECRET);
  });

  it('seals for the bare credential when it came with a Bearer prefix', async () => {
    const ctx = testContext();
    const credential = await testInstance();
    const gate = proceed(
      await gateApiRequest(
        apiRequest('/api/me', { headers: { authorization: `Bearer ${credential}` } }),
        ctx,
      ),
    );
    expect(
      await ctx.forwarder.open(gate.requestHeaders.get(IDENTITY_HEADER)!, credential),
    ).not.toBeNull();
  });

  it('lets a server-to-server call without Origin through with only Vary', async () => {
    const gate = proceed(
      await gateApiRequest(
        apiRequest('/api/me', { headers: { authorization: await testInstance() } }),
        testContext(),
      ),
    );
    expect(gate.responseHeaders).toEqual({ vary: 'Origin' });
  });

  it.each(['/api/health/', '/api/health/x', '/api/healthz', '/api/dev/instance/x', '/api/HEALTH'])(
    'requires credentials on %s, which only looks like a public path',
    async (path) => {
      const response = respond(await gateApiRequest(apiRequest(path), testContext()));
      expect(response.status).toBe(401);
    },
  );
});

describe('gateApiRequest: public paths and the identity header', () => {
  it.each(['/api/health', '/api/dev/instance'])(
    'lets %s through without credentials',
    async (path) => {
      const gate = proceed(
        await gateApiRequest(apiRequest(path, { headers: { origin: ORIGIN } }), testContext()),
      );
      expect(gate.responseHeaders['access-control-allow-origin']).toBe(ORIGIN);
      expect(gate.requestHeaders.has(IDENTITY_HEADER)).toBe(false);
    },
  );

  it.each(['/api/health', '/api/dev/instance'])(
    'removes a client-sent identity header on the public path %s',
    async (path) => {
      const gate = proceed(
        await gateApiRequest(
          apiRequest(path, { headers: { [IDENTITY_HEADER]: 'forged' } }),
          testContext(),
        ),
      );
      expect(gate.requestHeaders.has(IDENTITY_HEADER)).toBe(false);
    },
  );

  it('removes a client-sent identity header on a public path even with a valid credential', async () => {
    const gate = proceed(
      await gateApiRequest(
        apiRequest('/api/health', {
          headers: { authorization: await testInstance(), [IDENTITY_HEADER]: 'forged' },
        }),
        testContext(),
      ),
    );
    expect(gate.requestHeaders.has(IDENTITY_HEADER)).toBe(false);
  });

  it('replaces a client-sent identity header on a private path with its own seal', async () => {
    const ctx = testContext();
    const credentialB = await testInstance({ instanceId: INSTANCE_B });
    // A genuine seal for instance A, replayed with B's credential.
    const credentialA = await testInstance();
    const sealA = proceed(
      await gateApiRequest(apiRequest('/api/me', { headers: { authorization: credentialA } }), ctx),
    ).requestHeaders.get(IDENTITY_HEADER)!;

    const gate = proceed(
      await gateApiRequest(
        apiRequest('/api/me', {
          headers: { authorization: credentialB, [IDENTITY_HEADER]: sealA },
        }),
        ctx,
      ),
    );
    const sealed = gate.requestHeaders.get(IDENTITY_HEADER)!;
    expect(sealed).not.toBe(sealA);
    expect((await ctx.forwarder.open(sealed, credentialB))?.instanceId).toBe(INSTANCE_B);
  });

  it('does not forward a client-sent identity header when authentication fails', async () => {
    const forged = await createIdentityForwarder(TEST_APP_SECRET).seal(
      {
        credential: 'signed-instance',
        instanceId: INSTANCE_A,
        uid: null,
        permissions: 'OWNER',
        isOwner: true,
        signedAt: new Date().toISOString(),
        vendorProductId: null,
      },
      'x',
    );
    const result = await gateApiRequest(
      apiRequest('/api/me', { headers: { [IDENTITY_HEADER]: forged } }),
      testContext(),
    );
    expect(respond(result).status).toBe(401);
  });
});

describe('gateApiRequest: its own failures', () => {
  it('answers a 500 problem that still carries the CORS headers, so the browser can read it', async () => {
    const logged = expectConsoleError(1);
    const ctx = {
      ...testContext(),
      authenticate: async () => {
        throw new Error('verifier exploded');
      },
    };
    const response = respond(
      await gateApiRequest(apiRequest('/api/me', { headers: { origin: ORIGIN } }), ctx),
    );
    expect(response.status).toBe(500);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('vary')).toMatch(/origin/i);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ code: 'internal_error' });
    expect(body).not.toContain('verifier exploded');
    expect(logged().join('\n')).toContain('verifier exploded');
  });
});
