/**
 * The test kit: what a route test needs, in a few lines — an application context on an
 * in-memory database, signed instances, Wix access tokens from the local emulator, signed
 * webhook deliveries, and a way to call a route handler with a real `Request`.
 *
 *   const kit = await createTestApp();                       // beforeAll: PGlite from a snapshot
 *   const owner = await kit.signInstance({ instanceId });    // owner of a site by default
 *   const response = await kit.call(POST, '/api/notes', { auth: owner, json: { title: 'Hi' } });
 *   await expectProblem(response, 403, 'owner_required');
 *   await kit.close();                                       // afterAll
 *
 * Handlers run exactly as in production minus the middleware (which only refuses early): they
 * authenticate through `app.authenticate`, so a test that forgets credentials gets 401.
 * See docs/adding-a-route.md.
 */
import { randomUUID } from 'node:crypto';
import { openAppDatabase, type AppDatabase } from '../app/database';
import { createAppContext, type AppContext, type WixAppDefinition } from '../app/context';
import { gateApiRequest } from '../http/gate';
import { carriesBody, type Route } from '../http/route';
import { signInstance, type InstancePayloadInput } from '../auth/sign-instance';
import { createTokenInfoGuard, type TokenInfoGuard } from '../auth/token-info-guard';
import { parseConfig, type AppConfig } from '../config/env';
import { migrationSets } from '../db/migrate';
import { IN_MEMORY_DATA_DIR } from '../db/open-database';
import type { EventHandlers } from '../events/handler';
import type { SiteDuplicatedHook } from '../instances/lifecycle-store';
import type { InstanceBudget } from '../wix/instance-budget';
import {
  startWixEmulator,
  type WidgetTokenOptions,
  type WixEmulator,
  type WixEmulatorOptions,
} from '../dev/wix-emulator';
import { TEST_APP_ID, TEST_APP_SECRET } from './test-credentials';
import { signDelivery, webhookKeyPair, type DeliveryOptions, type WebhookKeys } from './webhooks';
import {
  servicePluginRequest,
  signServicePluginCall,
  type ServicePluginCallOptions,
} from './service-plugins';

export { expectProblem, type Problem } from './requests';
export { instanceIdColumns, purgeEscapes, type InstanceIdColumn } from './purge';
export { TEST_APP_ID, TEST_APP_SECRET };

/** Where test requests pretend to go; only the path matters to a handler. */
export const TEST_BASE_URL = 'http://localhost:3000';

export interface TestAppOptions {
  /**
   * The app under test — its `wixApp` from `createWixApp` (or just a definition): its event
   * handlers, copies to a duplicated site and public/server paths. The app's test/kit.ts passes
   * it for every test; default an app with none of them.
   */
  app?: { readonly definition: WixAppDefinition };
  /** Configuration as environment variables, over the test app's credentials. */
  env?: Record<string, string | undefined>;
  /** The context's clock (instance freshness, "last seen", token expiry). */
  now?: () => number;
  /** Start the local Wix emulator and point the app at it (Wix calls, access tokens). */
  emulator?: boolean | Partial<WixEmulatorOptions>;
  /**
   * The database: an in-memory PGlite (default), a PostgreSQL URL (the PostgreSQL runs), or an
   * open one shared with another test app (`other.database`).
   */
  database?: { databaseUrl: string } | AppDatabase;
  /** The `fetch` Wix calls go through. */
  fetch?: typeof fetch;
  /**
   * Budgets and breaker for Token Info calls caused by unknown tokens. Default: budgets no test
   * reaches and no breaker window (a test file issues many fresh tokens in a burst, and one test's
   * outage must not leak into the next); a test of them passes `createTokenInfoGuard(...)` from
   * src/auth/token-info-guard.ts.
   */
  tokenInfoGuard?: TokenInfoGuard;
  /** The event handlers, by Wix event type; default the app's. */
  eventHandlers?: EventHandlers;
  /** The copies to a duplicated site (when the kit opens the database); default the app's. */
  onSiteDuplicated?: readonly SiteDuplicatedHook[];
  /** How long a run may hold a queued event before another run may take it over. */
  eventLeaseMs?: number;
  /**
   * Run due events after each answered request, at most this often (ms), as the process context
   * does on Vercel; default never (tests drain with `kit.app.drainEvents()`).
   */
  drainAfterRequestsMs?: number;
  /** The per-instance Wix call budget (src/wix/instance-budget.ts); default as in production. */
  wixBudget?: InstanceBudget;
}

export interface CallOptions {
  method?: string;
  /** The credential, sent as `Authorization` (raw, as Wix frontends send it). */
  auth?: string;
  headers?: Record<string, string>;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  body?: string | Uint8Array;
  /**
   * The page's origin, sent as `Origin` (a browser sends it on every cross-origin call). Default
   * none, as a server-side caller sends.
   */
  origin?: string;
  /**
   * Send the body as an HTTP client streaming it would: `Transfer-Encoding: chunked` instead of
   * the `Content-Length` every other body gets.
   */
  chunked?: boolean;
  /**
   * The route's dynamic segments: `{ id: '…' }` for app/api/notes/[id], an array for a
   * catch-all (`{ path: ['a', 'b'] }` for app/api/[...path]).
   */
  params?: Record<string, string | string[]>;
}

export interface InstanceOptions extends Partial<InstancePayloadInput> {
  /** Default true: `permissions: "OWNER"`. */
  owner?: boolean;
  /** Sign with another secret (a forgery). */
  secret?: string;
}

export interface TestApp {
  readonly app: AppContext;
  readonly config: AppConfig;
  readonly database: AppDatabase;
  /** Null unless started with `emulator`. */
  readonly emulator: WixEmulator | null;
  /** The key pair webhook deliveries are signed with; the app trusts its public half. */
  readonly webhookKeys: WebhookKeys;
  /**
   * Calls a route export (`GET`, `POST`, …) on this app with a real `Request`, the way a server
   * serves it: a request without a body first passes the middleware's gate (CORS, the early
   * credential check) and the route's answer carries its headers; a request with a body — sent
   * with `Content-Length`, or chunked — goes straight to the route, whose wrapper applies CORS.
   */
  call(handler: Route<never>, path: string, options?: CallOptions): Promise<Response>;
  /**
   * The browser's CORS preflight for a call from `origin` (`OPTIONS` with
   * `Access-Control-Request-Method` and `-Headers`), answered as the middleware answers it.
   */
  preflight(
    path: string,
    options: { origin: string; method?: string; headers?: readonly string[] },
  ): Promise<Response>;
  /** A `Request` as a browser would send it to `path`. */
  request(path: string, options?: CallOptions): Request;
  /** A signed instance for the test app: the owner of site `instanceId` (random by default). */
  signInstance(options?: InstanceOptions): Promise<string>;
  /**
   * A Wix access token for the instance, as `fetchWithAuth` sends it (needs `emulator`): a
   * dashboard user's (`subjectType: 'USER'`) unless `subjectType` says `MEMBER`, `VISITOR` or
   * `APP` — what a site widget or the app itself would send.
   */
  accessToken(options: WidgetTokenOptions): string;
  /**
   * A webhook delivery body (a JWT) signed as Wix signs it, for `POST /api/webhooks/wix`: `at`
   * is when the event happened (the JWT's `iat`); `data` replaces the lifecycle data, or `plan`,
   * `cycle` and `originInstanceId` fill it in.
   */
  signWebhook(eventType: string, instanceId: string, options?: DeliveryOptions): Promise<string>;
  /**
   * A service-plugin call body (a JWT) signed as Wix signs it: `request` for the plugin
   * `appExtensionType`, on a random site unless `instanceId` is given.
   */
  signServicePluginCall(
    appExtensionType: string,
    request: Record<string, unknown>,
    options?: ServicePluginCallOptions,
  ): Promise<string>;
  /**
   * POSTs `body` to the service-plugin route `handler` at `path` (under /api/service-plugins),
   * as Wix does: text/plain, straight to the route (a request with a body skips the middleware).
   */
  callServicePlugin(handler: Route<never>, path: string, body: string): Promise<Response>;
  /** Another app over the same database, emulator and keys, with more configuration. */
  withEnv(env: Record<string, string | undefined>, options?: { now?: () => number }): TestApp;
  /**
   * The app as `npm run dev` starts it: NODE_ENV=development on the development credentials,
   * with the kit's key pair as the local signing key (WIX_DEV_WEBHOOK_SIGNING_KEY) — what the
   * demo's development routes need. `env` is applied on top (e.g. `WIX_EMULATOR: '1'`).
   */
  asDevServer(env?: Record<string, string | undefined>): TestApp;
  /** Stops the emulator and closes the database (unless it was given). */
  close(): Promise<void>;
}

let sharedKeys: WebhookKeys | null = null;
/** One RSA pair per test file: generating one takes a while. */
function testWebhookKeys(): WebhookKeys {
  sharedKeys ??= webhookKeyPair();
  return sharedKeys;
}

/** A valid configuration for the test app (NODE_ENV=test), with `env` applied on top. */
export function testAppConfig(env: Record<string, string | undefined> = {}): AppConfig {
  const result = parseConfig({
    NODE_ENV: 'test',
    WIX_APP_ID: TEST_APP_ID,
    WIX_APP_SECRET: TEST_APP_SECRET,
    LOG_LEVEL: 'silent',
    // Nothing listens here: a test that reaches Wix without the emulator fails fast.
    WIX_API_BASE_URL: 'http://127.0.0.1:9',
    WIX_APP_PUBLIC_KEY: testWebhookKeys().publicKeyPem,
    // A context built on this config alone (no `database` option) opens a throwaway database.
    DATA_DIR: IN_MEMORY_DATA_DIR,
    ...env,
  });
  if (!result.ok) throw new Error(`test configuration: ${result.problems.join('; ')}`);
  return result.value;
}

/** Builds a test app; call `close()` when done. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const definition = options.app?.definition ?? {};
  const emulator = options.emulator
    ? await startWixEmulator({
        appId: TEST_APP_ID,
        appSecret: TEST_APP_SECRET,
        ...(typeof options.emulator === 'object' ? options.emulator : {}),
      })
    : null;
  let database: AppDatabase;
  let ownsDatabase = true;
  try {
    if (options.database && 'engine' in options.database) {
      database = options.database;
      ownsDatabase = false;
    } else {
      database = await openAppDatabase(
        { databaseUrl: options.database?.databaseUrl ?? null, dataDir: IN_MEMORY_DATA_DIR },
        {
          onSiteDuplicated: options.onSiteDuplicated ?? definition.onSiteDuplicated,
          migrations: migrationSets(definition.migrations),
        },
      );
    }
  } catch (error) {
    await emulator?.close();
    throw error;
  }
  const baseEnv = emulator ? { WIX_API_BASE_URL: emulator.url } : {};
  const build = (env: Record<string, string | undefined>, now = options.now): TestApp => {
    const config = testAppConfig({ ...baseEnv, ...env });
    const app = createAppContext(config, {
      ...definition,
      now,
      fetch: options.fetch,
      database,
      tokenInfoGuard: options.tokenInfoGuard ?? unlimitedBudgets(now),
      eventHandlers: options.eventHandlers ?? definition.eventHandlers,
      eventLeaseMs: options.eventLeaseMs,
      drainAfterRequestsMs: options.drainAfterRequestsMs,
      wixBudget: options.wixBudget,
    });
    return {
      app,
      config,
      database,
      emulator,
      webhookKeys: testWebhookKeys(),
      request: (path, callOptions) => testRequest(path, callOptions),
      call: (handler, path, callOptions = {}) =>
        serveAsProduction(app, handler, testRequest(path, callOptions), callOptions.params ?? {}),
      preflight: async (path, { origin, method = 'GET', headers = ['authorization'] }) => {
        const request = testRequest(path, {
          method: 'OPTIONS',
          origin,
          headers: {
            'access-control-request-method': method,
            'access-control-request-headers': headers.join(','),
          },
        });
        const gate = await gateApiRequest(request, app);
        if (gate.kind === 'respond') return gate.response;
        throw new Error(`the gate let a preflight to ${path} through`);
      },
      signInstance: (instanceOptions) => signTestInstance(instanceOptions, now),
      accessToken(tokenOptions) {
        if (!emulator) throw new Error('accessToken needs createTestApp({ emulator: true })');
        return emulator.issueWidgetToken({ subjectType: 'USER', ...tokenOptions });
      },
      signWebhook: (eventType, instanceId, webhookOptions = {}) =>
        signDelivery(testWebhookKeys(), eventType, instanceId, webhookOptions),
      signServicePluginCall: (appExtensionType, request, callOptions = {}) =>
        signServicePluginCall(testWebhookKeys(), appExtensionType, request, {
          issuedAt: now ? new Date(now()) : undefined,
          ...callOptions,
        }),
      callServicePlugin: (handler, path, body) =>
        handler.withContext(app)(servicePluginRequest(`${TEST_BASE_URL}${path}`, body), {
          params: Promise.resolve({ path: path.split('/').slice(3) } as never),
        }),
      withEnv: (more, withOptions = {}) => build({ ...env, ...more }, withOptions.now ?? now),
      asDevServer: (more = {}) =>
        build(
          {
            ...env,
            NODE_ENV: 'development',
            WIX_APP_ID: '',
            WIX_APP_SECRET: '',
            WIX_DEV_WEBHOOK_SIGNING_KEY: testWebhookKeys()
              .privateKey.export({ type: 'pkcs8', format: 'pem' })
              .toString(),
            ...more,
          },
          now,
        ),
      async close() {
        await emulator?.close();
        if (ownsDatabase) await database.close();
      },
    };
  };
  return build(options.env ?? {});
}

/** Budgets no test reaches, and no breaker window. */
function unlimitedBudgets(now?: () => number): TokenInfoGuard {
  const plenty = { burst: 1_000_000, perMinute: 1_000_000_000 };
  return createTokenInfoGuard({
    now,
    perClient: plenty,
    overall: plenty,
    unrecognised: plenty,
    breakerSeconds: 0,
  });
}

/**
 * As a server serves a request (see `TestApp.call`): the middleware's gate for a request
 * without a body, its headers merged into the route's answer as `NextResponse.next({ headers })`
 * merges them; the route alone for a request with a body.
 */
async function serveAsProduction(
  app: AppContext,
  handler: Route<never>,
  request: Request,
  params: Record<string, string | string[]>,
): Promise<Response> {
  const serve = () =>
    handler.withContext(app)(request, { params: Promise.resolve(params as never) });
  if (carriesBody(request)) return serve();
  const gate = await gateApiRequest(request, app);
  if (gate.kind === 'respond') return gate.response;
  const response = await serve();
  for (const [name, value] of Object.entries(gate.responseHeaders)) {
    try {
      response.headers.set(name, value);
    } catch {
      /* immutable headers (a redirect): Next would not merge into them either */
    }
  }
  return response;
}

/**
 * A `Request` to `path` on the test base URL, as it arrives over HTTP: a body comes with its
 * `Content-Length` (or `Transfer-Encoding: chunked` with `chunked`), which decides whether the
 * middleware sees it (middleware.ts).
 */
export function testRequest(path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.auth !== undefined) headers.set('authorization', options.auth);
  if (options.origin !== undefined) headers.set('origin', options.origin);
  let body: string | Uint8Array | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (body !== undefined && !headers.has('content-length') && !headers.has('transfer-encoding')) {
    if (options.chunked) headers.set('transfer-encoding', 'chunked');
    else
      headers.set(
        'content-length',
        String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
      );
  }
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  return new Request(`${TEST_BASE_URL}${path}`, {
    method,
    headers,
    body: body as BodyInit | undefined,
  });
}

/** A signed instance for the test app; see `TestApp.signInstance`. */
export function signTestInstance(
  options: InstanceOptions = {},
  now: () => number = Date.now,
): Promise<string> {
  const { owner = true, secret = TEST_APP_SECRET, ...payload } = options;
  return signInstance(
    {
      instanceId: randomUUID(),
      appDefId: TEST_APP_ID,
      uid: `user-${randomUUID().slice(0, 8)}`,
      permissions: owner ? 'OWNER' : null,
      signDate: new Date(now()).toISOString(),
      ...payload,
    },
    secret,
  );
}
