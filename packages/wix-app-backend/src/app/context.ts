/**
 * The application context: everything a handler needs, built in this one place from the
 * configuration — CORS, authentication, the database and its stores, the Wix clients, the
 * webhook verifier, the logger and the clock. Route handlers receive it from `route()`
 * (src/http/route.ts); tests build their own with `createAppContext` (or the test kit's
 * `createTestApp`) instead of stubbing the environment.
 *
 * Cheap, stateless parts are built per context. Parts that hold process state — the database
 * connection, the Token Info cache, app tokens and the Wix budget — come from a registry that
 * the production context keeps on `globalThis` (src/app/shared.ts), so every bundle of the
 * process shares them.
 */
import { pathAccess } from './access';
import { createCredentialVerifier, type VerifyCredential } from '../auth/verify-credential';
import { clientAddress, createTokenInfoGuard, type TokenInfoGuard } from '../auth/token-info-guard';
import { createAccessTokenVerifier } from '../auth/verify-access-token';
import { createKnownInstances } from '../auth/token-standing';
import { createInstanceVerifier } from '../auth/verify-instance';
import type { AppConfig } from '../config/env';
import { createCors, type Cors } from '../cors/create-cors';
import { AppError } from '../errors/app-error';
import { guardDatabase } from '../db/errors';
import { migrationSets } from '../db/migrate';
import { createEventProcessor, type DrainResult, type EventProcessor } from '../events/processor';
import type { EventHandlers } from '../events/handler';
import type { SiteDuplicatedHook } from '../instances/lifecycle-store';
import { createLogger, errorFields, type Logger } from '../log';
import { createWebhookVerifier, type VerifyWebhookResult } from '../webhooks/verify-webhook';
import type { ServicePluginRegistration } from '../service-plugins/define-service-plugin';
import {
  createServicePluginRegistry,
  type ServicePluginRegistry,
} from '../service-plugins/registry';
import {
  createServicePluginVerifier,
  type VerifyServicePluginResult,
} from '../service-plugins/verify-service-plugin-request';
import { createWixApiKeyClient, type WixApiKeyClient } from '../wix/api-key-client';
import { createWixAppClient, forInstance, type WixAppClient } from '../wix/app-client';
import { createAppTokenProvider, type AppTokenProvider } from '../wix/app-token-provider';
import { createInstanceBudget, type InstanceBudget } from '../wix/instance-budget';
import { createPostgresBudgetStore } from '../wix/postgres-budget-store';
import { createTokenSealer } from '../wix/seal-token';
import { TOKEN_INFO_MAX_ATTEMPTS, tokenInfoRetryWindowMs } from '../wix/timeouts';
import { createWixFetch } from '../wix/wix-fetch';
import { createSessionAuthenticator, type AuthenticateOptions, type Session } from './authenticate';
import { openAppDatabase, type AppDatabase } from './database';
import { createSharedRegistry, type SharedRegistry } from './shared';

export interface WixClients {
  /** Calls Wix as the app for an instance (OAuth client credentials). */
  app: WixAppClient;
  tokens: AppTokenProvider;
}

export interface AppContext {
  readonly config: AppConfig;
  readonly log: Logger;
  /** Milliseconds since the epoch; tests freeze it. */
  readonly now: () => number;
  readonly cors: Cors;
  /**
   * The one identity call: the first line of every authenticated handler. Verifies the
   * credential (a handler reached without the middleware still answers 401), records the
   * instance, applies the policy in `options`, and hands back the identity, the tenant's data
   * access and a Wix client for the instance.
   */
  authenticate(request: Request, options?: AuthenticateOptions): Promise<Session>;
  /** The credential in `Authorization`, verified; a typed refusal, never a throw. */
  readonly verifyCredential: VerifyCredential;
  /** The database and its stores, opened (and migrated) on first use. */
  database(): Promise<AppDatabase>;
  /** The Wix clients, built on first use. */
  wix(): Promise<WixClients>;
  /** API-key mode; throws `wix_api_key_not_configured` (503) without WIX_API_KEY. */
  wixApiKey(): WixApiKeyClient;
  /** Throws `webhooks_not_configured` (503) without a public key: check before reading a body. */
  requireWebhooks(): void;
  /** Which paths skip instance authentication (`WixAppDefinition.publicPaths`, `serverPaths`). */
  accessOf(path: string): RouteAccess;
  /** True when an event handler is registered for `eventType` (`WixAppDefinition`). */
  handlesEvent(eventType: string): boolean;
  /** Runs queued events through their handlers until none is due (src/events/processor.ts). */
  drainEvents(options?: { limit?: number }): Promise<DrainResult>;
  /**
   * Runs `task` once the response has been sent: Next's `after()` in the process context
   * (`getAppContext`; on Vercel it keeps the function alive for it), at once and unawaited in a
   * context built without one (tests, scripts). A failure is logged as `after_response_failed`.
   */
  afterResponse(task: () => Promise<unknown>): void;
  /**
   * Called by the route wrapper once a request is answered: on a context built with
   * `drainAfterRequestsMs`, runs due events after the response, at most that often — how a
   * deployment with no long-running process (Vercel) retries a failed handler within minutes.
   */
  afterRequest(): void;
  /** Resolves when every `afterResponse` task started so far has ended (tests, scripts). */
  idle(): Promise<void>;
  /** Verifies a webhook body; throws `webhooks_not_configured` (503) without a public key. */
  verifyWebhook(body: string): Promise<VerifyWebhookResult>;
  /** The app's service-plugin handlers (`WixAppDefinition.servicePlugins`). */
  readonly servicePlugins: ServicePluginRegistry;
  /**
   * Verifies a service-plugin call's body (signed with the same key pair as webhooks); throws
   * `webhooks_not_configured` (503) without a public key.
   */
  verifyServicePluginCall(body: string): Promise<VerifyServicePluginResult>;
}

/**
 * What an app adds to the machinery — everything the machinery must call or know of the app, in
 * one object handed to `createWixApp` (the app's lib/wix-app.ts).
 */
export interface WixAppDefinition {
  /**
   * The folder of the app's own migrations, relative to the project (where its `db:generate`
   * script writes them), applied after the machinery's at startup. Unset: the app has no tables
   * of its own. A deployment must carry the folder: name it in next.config.mjs's
   * `outputFileTracingIncludes`.
   */
  readonly migrations?: string;
  /**
   * One entry per Wix event type the app subscribed to (app dashboard → Webhooks). A type with
   * no entry is still verified, recorded once and answered 200 — it just has no effect. Names are
   * Wix's: app-instance events by their short names (`AppInstalled`, `PaidPlanPurchased`, …),
   * every other event by its fully qualified name (`wix.ecom.v1.order_created`, …). How to write
   * one: src/events/handler.ts.
   */
  readonly eventHandlers?: EventHandlers;
  /**
   * Each resource that a duplicated site should start with a copy of registers its copy here
   * (src/instances/lifecycle-store.ts, `SiteDuplicatedHook`); they run in order, in the
   * transaction that applies the new site's `AppInstalled`.
   */
  readonly onSiteDuplicated?: readonly SiteDuplicatedHook[];
  /**
   * The /api paths answered without a Wix credential (CORS still applies); their route files use
   * `publicRoute`. Exact paths: a prefix would open every sub-route. Every other path — any route
   * added later, and unknown paths — needs a verified instance or access token.
   */
  readonly publicPaths?: readonly string[];
  /**
   * Server-to-server paths with credentials of their own (a signed webhook body, the cron
   * secret): no CORS and no instance authentication; their route files use `serverRoute`. An
   * entry ending in `/*` covers every path under it, for one catch-all route that verifies every
   * call itself (the service-plugin entry, `/api/service-plugins/*`).
   */
  readonly serverPaths?: readonly string[];
  /**
   * The service plugins the app implements, each a plugin definition called with its handlers
   * (`additionalFees({ calculateAdditionalFees })`, src/service-plugins/ecom.ts). Wix calls them
   * at the entry route (`servicePluginCall`); docs/service-plugins.md.
   */
  readonly servicePlugins?: readonly ServicePluginRegistration[];
}

/** Who may call a path without a verified instance: see `WixAppDefinition`. */
export type RouteAccess = 'instance' | 'public' | 'server';

export interface AppContextOptions extends WixAppDefinition {
  now?: () => number;
  /** The `fetch` every Wix call goes through (tests pass a recording one). */
  fetch?: typeof fetch;
  log?: Logger;
  /** Where per-process state lives; default: private to this context. */
  shared?: SharedRegistry;
  /** The database to use instead of opening the configured one (tests share one per file). */
  database?: AppDatabase | (() => Promise<AppDatabase>);
  /** Budgets for Token Info calls caused by unknown tokens; default src/auth/token-info-guard.ts. */
  tokenInfoGuard?: TokenInfoGuard;
  /**
   * The per-instance Wix call budget; default src/wix/instance-budget.ts, kept in PostgreSQL when
   * the database is PostgreSQL (shared by every process) and in memory on PGlite.
   */
  wixBudget?: InstanceBudget;
  /** How long a run may hold a queued event before another may take it (tests shorten it). */
  eventLeaseMs?: number;
  /**
   * Starts work that must run once the response is sent; default: at once, unawaited. The
   * process context passes Next's `after()`, which on Vercel keeps the function alive for it.
   */
  afterResponse?: (task: () => Promise<unknown>) => void;
  /**
   * Run due events after a request at most this often (ms); 0 or unset: never. The process
   * context on Vercel sets EVENT_RETRY_INTERVAL_MS (src/app/startup.ts retries on a timer
   * elsewhere).
   */
  drainAfterRequestsMs?: number;
}

/** Builds a context. Nothing is opened or called until first use. */
export function createAppContext(config: AppConfig, options: AppContextOptions = {}): AppContext {
  const now = options.now ?? Date.now;
  const shared = options.shared ?? createSharedRegistry();
  const log = options.log ?? createLogger(config.logLevel);

  const given = options.database;
  const openDatabase = (): Promise<AppDatabase> =>
    given === undefined
      ? shared.once('database', () =>
          openAppDatabase(config, {
            onSiteDuplicated: options.onSiteDuplicated,
            migrations: migrationSets(options.migrations),
          }),
        )
      : Promise.resolve(typeof given === 'function' ? given() : given);
  // No deadline: a first PGlite open (initdb) legitimately takes seconds. An unreachable
  // PostgreSQL becomes 503 `database_unavailable`; the operations have deadlines of their own.
  const database = () => guardDatabase(openDatabase, null);

  const { wixTimeouts } = config;
  // Every Wix REST call but Token Info: the configured timeout (retries within twice it).
  const restFetch = () =>
    createWixFetch({
      baseUrl: config.wixApiBaseUrl,
      fetch: options.fetch,
      timeoutMs: wixTimeouts.requestMs,
    });

  const wix = (): Promise<WixClients> =>
    shared.once('wix', async () => {
      // Retries and the budget wait in real time, so they measure it too; token expiry follows
      // the context's clock.
      const wixFetch = restFetch();
      const db = await database();
      // Many processes may share PostgreSQL: only a budget kept there holds for all of them
      // (docs/decisions/023-shared-wix-budget.md).
      const budget =
        options.wixBudget ??
        createInstanceBudget({
          store: db.engine === 'postgres' ? createPostgresBudgetStore(db.db) : undefined,
        });
      const tokens = createAppTokenProvider({
        appId: config.wixAppId,
        appSecret: config.wixAppSecret,
        wixFetch,
        store: db.appTokens,
        sealer: createTokenSealer(
          config.wixAppSecret,
          config.wixAppSecretPrevious ? [config.wixAppSecretPrevious] : [],
        ),
        now,
      });
      return {
        tokens,
        app: createWixAppClient({ tokens, wixFetch, budget }),
      };
    });

  // One per process, like the Token Info cache: what the middleware verified, the handler knows.
  const knownInstances = shared.once('known-instances', () => createKnownInstances({ now }));
  const verifyCredential = createCredentialVerifier({
    verifyInstance: createInstanceVerifier({
      secret: config.wixAppSecret,
      previousSecrets: config.wixAppSecretPrevious ? [config.wixAppSecretPrevious] : [],
      appId: config.wixAppId,
      maxAgeSeconds: config.instanceMaxAgeSeconds,
      now,
    }),
    clientOf: (request) => clientAddress(request, config.clientIpHeader),
    knownInstances,
    // Shared: the handler re-verifies what the middleware verified, from the same cache.
    verifyAccessToken: shared.once('token-info', () =>
      createAccessTokenVerifier({
        appId: config.wixAppId,
        now,
        knownInstances,
        guard:
          options.tokenInfoGuard ??
          createTokenInfoGuard({ now, breakerSeconds: wixTimeouts.tokenInfoBreakerSeconds }),
        wixFetch: createWixFetch({
          baseUrl: config.wixApiBaseUrl,
          timeoutMs: wixTimeouts.tokenInfoMs,
          maxAttempts: TOKEN_INFO_MAX_ATTEMPTS,
          retryWindowMs: tokenInfoRetryWindowMs(wixTimeouts.tokenInfoMs),
          fetch: options.fetch,
        }),
      }),
    ),
  });

  let webhookVerifier: ((body: string) => Promise<VerifyWebhookResult>) | null = null;
  const handlers = options.eventHandlers ?? {};
  const servicePlugins = createServicePluginRegistry(options.servicePlugins);
  let servicePluginVerifier: ((body: string) => Promise<VerifyServicePluginResult>) | null = null;
  let processor: Promise<EventProcessor> | null = null;
  const events = () =>
    (processor ??= database()
      .then((db) =>
        createEventProcessor({
          db: db.db,
          queue: db.eventQueue,
          handlers,
          wixFor: (instanceId) => forInstance(async () => (await wix()).app, instanceId),
          log,
          now,
          leaseMs: options.eventLeaseMs,
        }),
      )
      .catch((error: unknown) => {
        processor = null;
        throw error;
      }));
  const running = new Set<Promise<unknown>>();
  const afterResponse = (task: () => Promise<unknown>) => {
    const tracked = () => {
      const started = task()
        .catch((error: unknown) => log.error('after_response_failed', errorFields(error)))
        .finally(() => running.delete(started));
      running.add(started);
      return started;
    };
    if (options.afterResponse) options.afterResponse(tracked);
    else void tracked();
  };
  const drainEvents = async (drainOptions?: { limit?: number }) =>
    (await events()).drain(drainOptions);
  let lastDrainAt = Number.NEGATIVE_INFINITY;
  const afterRequest = () => {
    const every = options.drainAfterRequestsMs ?? 0;
    if (every <= 0) return;
    const at = now();
    if (at - lastDrainAt < every) return;
    lastDrainAt = at;
    afterResponse(() => drainEvents());
  };
  const requireWebhooks = () => {
    if (config.webhookPublicKeys.length === 0) {
      throw new AppError(
        'webhooks_not_configured',
        'Set WIX_APP_PUBLIC_KEY (app dashboard → Webhooks); `npm run dev` sets a local one.',
      );
    }
  };

  return {
    config,
    log,
    now,
    cors: createCors({
      appId: config.wixAppId,
      allowedOrigins: config.corsAllowedOrigins,
      allowLocalhost: config.corsAllowLocalhost,
    }),
    verifyCredential,
    authenticate: createSessionAuthenticator({
      premiumPlans: config.premiumPlans,
      verifyCredential,
      database,
      wix,
      now,
    }),
    database,
    wix,
    wixApiKey() {
      if (!config.wixApiKey) {
        throw new AppError(
          'wix_api_key_not_configured',
          'Set WIX_API_KEY and WIX_SITE_ID or WIX_ACCOUNT_ID.',
        );
      }
      return createWixApiKeyClient(config.wixApiKey, restFetch());
    },
    requireWebhooks,
    accessOf: pathAccess(options),
    handlesEvent: (eventType) => Object.hasOwn(handlers, eventType),
    drainEvents,
    afterResponse,
    afterRequest,
    idle: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    verifyWebhook(body) {
      requireWebhooks();
      webhookVerifier ??= createWebhookVerifier(config.webhookPublicKeys, { now });
      return webhookVerifier(body);
    },
    servicePlugins,
    verifyServicePluginCall(body) {
      requireWebhooks();
      servicePluginVerifier ??= createServicePluginVerifier(config.webhookPublicKeys, {
        appId: config.wixAppId,
        now,
      });
      return servicePluginVerifier(body);
    },
  };
}
