import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEV_APP_ID, DEV_APP_SECRET } from '../../src/config/dev-credentials';
import { formatConfigProblems, parseConfig, type AppConfig } from '../../src/config/env';
import { expectConsoleError } from '../../src/testing/setup';
import { generateKeyPairSync } from 'node:crypto';

const WEBHOOK_PUBLIC_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';

const PROD = { NODE_ENV: 'production', WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET };

function valid(source: Record<string, string | undefined>): AppConfig {
  const result = parseConfig(source);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.problems.join('\n')}`);
  return result.value;
}

function problems(source: Record<string, string | undefined>): string[] {
  const result = parseConfig(source);
  if (result.ok) throw new Error('expected configuration problems, got a valid config');
  return result.problems;
}

describe('parseConfig: credentials', () => {
  it('runs on the development credentials when nothing is set', () => {
    const config = valid({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      wixAppId: DEV_APP_ID,
      wixAppSecret: DEV_APP_SECRET,
      usingDevCredentials: true,
      corsAllowLocalhost: true,
      devToolsEnabled: true,
      corsAllowedOrigins: [],
    });
  });

  it('uses the configured credentials when both are set', () => {
    const config = valid({ WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET });
    expect(config.wixAppId).toBe(TEST_APP_ID);
    expect(config.wixAppSecret).toBe(TEST_APP_SECRET);
    expect(config.usingDevCredentials).toBe(false);
  });

  it('refuses production with no credentials, naming both variables in one result', () => {
    const list = problems({ NODE_ENV: 'production' });
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_ID:/));
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_SECRET:/));
  });

  it('counts empty and blank strings as missing', () => {
    const list = problems({ NODE_ENV: 'production', WIX_APP_ID: '', WIX_APP_SECRET: '   ' });
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_ID:/));
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_SECRET:/));
    expect(valid({ WIX_APP_ID: '', WIX_APP_SECRET: '' }).usingDevCredentials).toBe(true);
  });

  it('never uses the development credentials in production', () => {
    expect(parseConfig({ NODE_ENV: 'production', WIX_APP_SECRET: 's' }).ok).toBe(false);
    const config = valid(PROD);
    expect(config.usingDevCredentials).toBe(false);
    expect(config.devToolsEnabled).toBe(false);
  });

  it.each([
    ['only WIX_APP_ID', { WIX_APP_ID: TEST_APP_ID }, 'WIX_APP_SECRET'],
    ['only WIX_APP_SECRET', { WIX_APP_SECRET: TEST_APP_SECRET }, 'WIX_APP_ID'],
  ])('refuses %s in development, naming the missing one', (_label, env, missing) => {
    const list = problems(env);
    expect(list).toHaveLength(1);
    expect(list[0]).toContain(missing);
  });

  it('refuses a WIX_APP_ID that is not a GUID', () => {
    const list = problems({ ...PROD, WIX_APP_ID: 'my-app' });
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_ID:/));
  });

  it('lowercases an uppercase WIX_APP_ID so it matches the wix.run origin', () => {
    expect(valid({ ...PROD, WIX_APP_ID: TEST_APP_ID.toUpperCase() }).wixAppId).toBe(TEST_APP_ID);
  });

  it('reports every problem at once, not only the first kind found', () => {
    // A bad CORS entry must not hide that production has no credentials.
    const list = problems({ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: '*' });
    expect(list).toContainEqual(expect.stringMatching(/^CORS_ALLOWED_ORIGINS:/));
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_ID:/));
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_SECRET:/));
  });

  it('reports a malformed WIX_APP_ID together with a missing WIX_APP_SECRET in production', () => {
    const list = problems({ NODE_ENV: 'production', WIX_APP_ID: 'my-app' });
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_ID:/));
    expect(list).toContainEqual(expect.stringMatching(/^WIX_APP_SECRET:/));
  });

  it('refuses an unknown NODE_ENV', () => {
    expect(problems({ NODE_ENV: 'staging' })).toContainEqual(expect.stringMatching(/^NODE_ENV:/));
  });
});

describe('parseConfig: CORS', () => {
  it('parses a comma-separated list of exact origins', () => {
    expect(
      valid({ CORS_ALLOWED_ORIGINS: 'https://a.example, http://localhost:4000' })
        .corsAllowedOrigins,
    ).toEqual(['https://a.example', 'http://localhost:4000']);
  });

  it('stores origins in canonical form', () => {
    expect(
      valid({ CORS_ALLOWED_ORIGINS: 'HTTPS://A.Example:443,https://b.example/' })
        .corsAllowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it('ignores empty entries', () => {
    expect(valid({ CORS_ALLOWED_ORIGINS: ' , https://a.example,, ' }).corsAllowedOrigins).toEqual([
      'https://a.example',
    ]);
  });

  it.each([
    'https://a.example/path',
    'https://a.example?x=1',
    'https://a.example#top',
    '*',
    'https://*.x.com',
    'ftp://x',
    'not a url',
    'https://user:pass@a.example',
    'a.example',
  ])('refuses %j as an allowed origin', (entry) => {
    const list = problems({ CORS_ALLOWED_ORIGINS: entry });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^CORS_ALLOWED_ORIGINS/);
  });

  it('names each bad entry in the list', () => {
    const list = problems({ CORS_ALLOWED_ORIGINS: 'https://ok.example,*,ftp://x' });
    expect(list).toHaveLength(2);
    expect(list.join('\n')).toContain('"*"');
    expect(list.join('\n')).toContain('"ftp://x"');
  });

  it('allows localhost by default outside production', () => {
    expect(valid({}).corsAllowLocalhost).toBe(true);
    expect(valid({ NODE_ENV: 'test' }).corsAllowLocalhost).toBe(true);
  });

  it('refuses localhost by default in production', () => {
    expect(valid(PROD).corsAllowLocalhost).toBe(false);
  });

  it('turns localhost off in development when CORS_ALLOW_LOCALHOST is "false"', () => {
    expect(valid({ CORS_ALLOW_LOCALHOST: 'false' }).corsAllowLocalhost).toBe(false);
  });

  it('turns localhost on in production when CORS_ALLOW_LOCALHOST is "true"', () => {
    expect(valid({ ...PROD, CORS_ALLOW_LOCALHOST: 'true' }).corsAllowLocalhost).toBe(true);
  });

  it.each([
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    [' False ', false],
    ['0', false],
    ['no', false],
  ])('reads CORS_ALLOW_LOCALHOST=%j as %s', (text, expected) => {
    expect(valid({ ...PROD, CORS_ALLOW_LOCALHOST: text }).corsAllowLocalhost).toBe(expected);
  });

  it('refuses an unreadable CORS_ALLOW_LOCALHOST', () => {
    expect(problems({ CORS_ALLOW_LOCALHOST: 'maybe' })[0]).toMatch(/^CORS_ALLOW_LOCALHOST/);
  });
});

describe('parseConfig: DATABASE_PREPARED_STATEMENTS', () => {
  it('is off by default, so a transaction-mode pooler’s URL works as it is', () => {
    expect(valid({ DATABASE_URL: 'postgres://db.example/app' }).preparedStatements).toBe(false);
    expect(valid({ DATABASE_PREPARED_STATEMENTS: '' }).preparedStatements).toBe(false);
  });

  it('turns named prepared statements on with "true"', () => {
    expect(valid({ DATABASE_PREPARED_STATEMENTS: 'true' }).preparedStatements).toBe(true);
  });

  it('refuses an unreadable value', () => {
    expect(problems({ DATABASE_PREPARED_STATEMENTS: 'sometimes' })[0]).toMatch(
      /^DATABASE_PREPARED_STATEMENTS/,
    );
  });
});

describe('parseConfig: INSTANCE_MAX_AGE_SECONDS', () => {
  it('defaults to one day, as Wix recommends', () => {
    expect(valid({}).instanceMaxAgeSeconds).toBe(86_400);
    expect(valid({ INSTANCE_MAX_AGE_SECONDS: '' }).instanceMaxAgeSeconds).toBe(86_400);
  });

  it('accepts a value in range', () => {
    expect(valid({ INSTANCE_MAX_AGE_SECONDS: '3600' }).instanceMaxAgeSeconds).toBe(3600);
  });

  it.each(['abc', '-1', '0', '59', '1.5', '604801', 'Infinity'])('refuses %j', (value) => {
    const list = problems({ INSTANCE_MAX_AGE_SECONDS: value });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^INSTANCE_MAX_AGE_SECONDS/);
  });
});

describe('parseConfig: waits on Wix', () => {
  it('defaults to 5 s per Wix call, 3 s per Token Info call and a 10 s breaker', () => {
    const blank = {
      WIX_TIMEOUT_MS: ' ',
      TOKEN_INFO_TIMEOUT_MS: '',
      TOKEN_INFO_BREAKER_SECONDS: '',
    };
    for (const source of [{}, blank]) {
      expect(valid(source).wixTimeouts).toEqual({
        requestMs: 5_000,
        tokenInfoMs: 3_000,
        tokenInfoBreakerSeconds: 10,
      });
    }
  });

  it('takes each from its variable', () => {
    expect(
      valid({
        WIX_TIMEOUT_MS: '2000',
        TOKEN_INFO_TIMEOUT_MS: '100',
        TOKEN_INFO_BREAKER_SECONDS: '300',
      }).wixTimeouts,
    ).toEqual({ requestMs: 2_000, tokenInfoMs: 100, tokenInfoBreakerSeconds: 300 });
  });

  it.each([
    ['WIX_TIMEOUT_MS', ['abc', '0', '99', '1.5', '60001', 'Infinity']],
    ['TOKEN_INFO_TIMEOUT_MS', ['-1', '99', '30001', '3e3x']],
    ['TOKEN_INFO_BREAKER_SECONDS', ['0', '0.5', '301', 'ten']],
  ] as const)('refuses an out-of-range or non-integer %s', (name, values) => {
    for (const value of values) {
      const list = problems({ [name]: value });
      expect(list, value).toHaveLength(1);
      expect(list[0], value).toMatch(new RegExp(`^${name}: `));
    }
  });
});

describe('parseConfig: other settings', () => {
  it('logs errors only under test and info otherwise, unless LOG_LEVEL says', () => {
    expect(valid({ NODE_ENV: 'test' }).logLevel).toBe('error');
    expect(valid({}).logLevel).toBe('info');
    expect(valid({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(problems({ LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL/);
  });
});

describe('parseConfig: WIX_APP_PUBLIC_KEY', () => {
  const NEXT_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  const base64 = (text: string) => Buffer.from(text).toString('base64');

  it('has no webhook key when unset', () => {
    expect(valid({}).webhookPublicKeys).toEqual([]);
    expect(valid({ WIX_APP_PUBLIC_KEY: '  ' }).webhookPublicKeys).toEqual([]);
  });

  it('reads one key', () => {
    expect(valid({ WIX_APP_PUBLIC_KEY: WEBHOOK_PUBLIC_KEY_PEM }).webhookPublicKeys).toHaveLength(1);
  });

  it('reads two keys while Wix changes its key, as PEMs or base64 separated by a comma', () => {
    const pems = valid({ WIX_APP_PUBLIC_KEY: `${WEBHOOK_PUBLIC_KEY_PEM}${NEXT_KEY_PEM}` });
    expect(pems.webhookPublicKeys).toHaveLength(2);
    const encoded = valid({
      WIX_APP_PUBLIC_KEY: `${base64(WEBHOOK_PUBLIC_KEY_PEM)},${base64(NEXT_KEY_PEM)}`,
    });
    expect(encoded.webhookPublicKeys).toHaveLength(2);
    expect(
      encoded.webhookPublicKeys.map((key) => key.export({ format: 'pem', type: 'spki' })),
    ).toEqual([WEBHOOK_PUBLIC_KEY_PEM, NEXT_KEY_PEM]);
  });

  it('refuses a value that is not a key, naming the variable and where to find the key', () => {
    const list = problems({ WIX_APP_PUBLIC_KEY: 'garbage' });
    expect(list).toEqual([expect.stringMatching(/^WIX_APP_PUBLIC_KEY: not a PEM.*Get Public Key/)]);
  });
});

describe('parseConfig: WIX_APP_SECRET_PREVIOUS', () => {
  const PREVIOUS = 'the-secret-before-the-change';

  it('keeps the previous secret while the app secret is being changed', () => {
    const config = valid({ ...PROD, WIX_APP_SECRET_PREVIOUS: ` ${PREVIOUS} ` });
    expect(config.wixAppSecret).toBe(TEST_APP_SECRET);
    expect(config.wixAppSecretPrevious).toBe(PREVIOUS);
  });

  it('is null when unset or blank', () => {
    expect(valid(PROD).wixAppSecretPrevious).toBeNull();
    expect(valid({ ...PROD, WIX_APP_SECRET_PREVIOUS: '  ' }).wixAppSecretPrevious).toBeNull();
  });

  it('ignores a previous secret equal to the current one', () => {
    expect(
      valid({ ...PROD, WIX_APP_SECRET_PREVIOUS: TEST_APP_SECRET }).wixAppSecretPrevious,
    ).toBeNull();
    expect(
      valid({ ...PROD, WIX_APP_SECRET_PREVIOUS: `${TEST_APP_SECRET}\n` }).wixAppSecretPrevious,
    ).toBeNull();
  });

  it('refuses it without WIX_APP_SECRET, in development too (not beside the development secret)', () => {
    const list = problems({ WIX_APP_SECRET_PREVIOUS: PREVIOUS });
    expect(list).toEqual([expect.stringMatching(/^WIX_APP_SECRET_PREVIOUS: .*WIX_APP_SECRET/)]);
    expect(
      problems({ ...PROD, WIX_APP_SECRET: '', WIX_APP_SECRET_PREVIOUS: PREVIOUS }),
    ).toContainEqual(expect.stringMatching(/^WIX_APP_SECRET_PREVIOUS:/));
  });
});

describe('parseConfig: CLIENT_IP_HEADER', () => {
  it('is null without it and off Vercel: no client address is trusted', () => {
    expect(valid({}).clientIpHeader).toBeNull();
    expect(valid(PROD).clientIpHeader).toBeNull();
    expect(valid({ VERCEL: '0' }).clientIpHeader).toBeNull();
  });

  it('uses x-real-ip on Vercel (VERCEL=1), which Vercel sets itself', () => {
    expect(valid({ VERCEL: '1' }).clientIpHeader).toBe('x-real-ip');
  });

  it('uses the header it names, trimmed and lowercased, on Vercel too', () => {
    expect(valid({ CLIENT_IP_HEADER: ' Fly-Client-IP ' }).clientIpHeader).toBe('fly-client-ip');
    expect(valid({ VERCEL: '1', CLIENT_IP_HEADER: 'CF-Connecting-IP' }).clientIpHeader).toBe(
      'cf-connecting-ip',
    );
  });

  it.each([
    ['a name with a space', 'x real ip'],
    ['a name with a colon', 'x-real-ip:'],
    ['a header and a value', 'x-real-ip: 1.2.3.4'],
    ['a name over 64 characters', `x-${'a'.repeat(63)}`],
    ['a list of names', 'x-real-ip,x-forwarded-for'],
  ])('refuses %s, naming the variable', (_label, value) => {
    expect(problems({ CLIENT_IP_HEADER: value })).toEqual([
      expect.stringMatching(/^CLIENT_IP_HEADER: .*header name/),
    ]);
  });

  it('accepts a name of exactly 64 characters', () => {
    const name = `x-${'a'.repeat(62)}`;
    expect(valid({ CLIENT_IP_HEADER: name }).clientIpHeader).toBe(name);
  });
});

describe('parseConfig: TRUSTED_REQUEST_ID_HEADER', () => {
  it('trusts no incoming id without it, off Vercel', () => {
    expect(valid({}).requestIdHeader).toBeNull();
    expect(valid(PROD).requestIdHeader).toBeNull();
  });

  it('uses x-vercel-id on Vercel, and the header it names anywhere, lowercased', () => {
    expect(valid({ VERCEL: '1' }).requestIdHeader).toBe('x-vercel-id');
    expect(valid({ TRUSTED_REQUEST_ID_HEADER: ' X-Amzn-Trace-Id ' }).requestIdHeader).toBe(
      'x-amzn-trace-id',
    );
  });

  it('refuses something that is not a header name', () => {
    expect(problems({ TRUSTED_REQUEST_ID_HEADER: 'x-request-id: 1' })).toEqual([
      expect.stringMatching(/^TRUSTED_REQUEST_ID_HEADER: .*header name/),
    ]);
  });
});

describe('parseConfig: trace export', () => {
  it('is off without an OTLP endpoint', () => {
    expect(valid({}).tracing).toBeNull();
    expect(valid({ OTEL_SERVICE_NAME: 'named' }).tracing).toBeNull();
  });

  it('is on with either endpoint, or Vercel’s collector, under the service name', () => {
    expect(valid({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }).tracing).toEqual({
      serviceName: 'wix-app-backend',
    });
    expect(
      valid({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/v1/traces',
        OTEL_SERVICE_NAME: 'my-app',
      }).tracing,
    ).toEqual({ serviceName: 'my-app' });
    expect(valid({ VERCEL_OTEL_ENDPOINTS: '1' }).tracing).not.toBeNull();
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/),
    ]);
  });
});

describe('formatConfigProblems', () => {
  it('lists every problem on its own line in one message', () => {
    const list = problems({
      NODE_ENV: 'production',
      WIX_APP_ID: 'x',
      CORS_ALLOWED_ORIGINS: '*',
      INSTANCE_MAX_AGE_SECONDS: '1',
    });
    expect(list.length).toBeGreaterThanOrEqual(3);
    const message = formatConfigProblems(list);
    const lines = message.split('\n');
    for (const problem of list) expect(lines).toContain(`  - ${problem}`);
    expect(lines[0]).toMatch(/cannot start/);
  });
});

describe('checkConfigAtStartup', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  // getConfig caches per module instance: load a fresh copy after changing the environment.
  async function loadStartup(env: Record<string, string>) {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    vi.resetModules();
    return import('../../src/app/startup');
  }

  class Exit extends Error {
    constructor(readonly code: number) {
      super(`exit(${code})`);
    }
  }
  const exit = (code: number): never => {
    throw new Exit(code);
  };

  it('exits with code 1 and prints every problem when production has no credentials', async () => {
    const { checkConfigAtStartup } = await loadStartup({
      NODE_ENV: 'production',
      WIX_APP_ID: '',
      WIX_APP_SECRET: '',
      NEXT_PHASE: '',
    });
    const logged = expectConsoleError(1);
    let exited: unknown = null;
    try {
      checkConfigAtStartup(exit);
    } catch (error) {
      exited = error;
    }
    expect(exited).toBeInstanceOf(Exit);
    expect((exited as Exit).code).toBe(1);
    expect(logged()).toHaveLength(1);
    const message = logged()[0]!;
    expect(message).toContain('WIX_APP_ID');
    expect(message).toContain('WIX_APP_SECRET');
  });

  it('does not exit when configuration is valid', async () => {
    const { checkConfigAtStartup } = await loadStartup({
      NODE_ENV: 'production',
      WIX_APP_ID: TEST_APP_ID,
      WIX_APP_SECRET: TEST_APP_SECRET,
      WIX_APP_PUBLIC_KEY: WEBHOOK_PUBLIC_KEY_PEM,
      NEXT_PHASE: '',
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => checkConfigAtStartup(exit)).not.toThrow();
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns, without exiting, when production has no webhook public key', async () => {
    const { checkConfigAtStartup } = await loadStartup({
      NODE_ENV: 'production',
      WIX_APP_ID: TEST_APP_ID,
      WIX_APP_SECRET: TEST_APP_SECRET,
      NEXT_PHASE: '',
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => checkConfigAtStartup(exit)).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('WIX_APP_PUBLIC_KEY');
  });

  it('warns with the banner when running on the development credentials', async () => {
    const { checkConfigAtStartup } = await loadStartup({
      NODE_ENV: 'development',
      WIX_APP_ID: '',
      WIX_APP_SECRET: '',
      NEXT_PHASE: '',
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => checkConfigAtStartup(exit)).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain(DEV_APP_ID);
  });

  it('skips the check during next build, which runs without secrets', async () => {
    const { checkConfigAtStartup } = await loadStartup({
      NODE_ENV: 'production',
      WIX_APP_ID: '',
      WIX_APP_SECRET: '',
      NEXT_PHASE: 'phase-production-build',
    });
    expect(() => checkConfigAtStartup(exit)).not.toThrow();
  });
});

describe('CONFIG_VARIABLES', () => {
  it('lists every variable the schema reads except NODE_ENV, so test servers can blank them', async () => {
    const { CONFIG_VARIABLES } = await import('../../src/config/env');
    for (const name of [
      'WIX_APP_ID',
      'WIX_APP_SECRET',
      'DATABASE_URL',
      'WIX_API_BASE_URL',
      'WIX_APP_PUBLIC_KEY',
      'CRON_SECRET',
      'VERCEL',
    ]) {
      expect(CONFIG_VARIABLES).toContain(name);
    }
    expect(CONFIG_VARIABLES).not.toContain('NODE_ENV');
  });
});

describe('parseConfig: the embedded database’s folder', () => {
  it('gives development and production folders of their own by default', () => {
    expect(valid({})).toMatchObject({ dataDir: '.data', dataDirMode: 'development' });
    expect(valid({ NODE_ENV: 'test' })).toMatchObject({ dataDirMode: 'development' });
    expect(valid(PROD)).toMatchObject({ dataDir: '.data-production', dataDirMode: 'production' });
  });

  it('takes DATA_DIR as given, and still says which kind of server opens it', () => {
    expect(valid({ ...PROD, DATA_DIR: '/data' })).toMatchObject({
      dataDir: '/data',
      dataDirMode: 'production',
    });
    expect(valid({ DATA_DIR: '/data' })).toMatchObject({ dataDirMode: 'development' });
  });
});
