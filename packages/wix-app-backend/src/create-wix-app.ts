/**
 * The package's front door: `createWixApp(definition)` binds the machinery to one app — its
 * event handlers, its copies to a duplicated site, its public and server-to-server paths — and
 * hands back everything the app's files use: the route wrappers, the middleware, the startup
 * hook and the process's context. The app calls it once, in its one server file
 * (lib/wix-app.ts in the template), and every route, the middleware and instrumentation.ts import
 * from there.
 *
 * This is the one module of the package that imports `next/*` (`after`, `NextResponse`): the rest
 * is tested with plain `Request`s and runs in any Node process (scripts, tests).
 */
import { after, NextResponse } from 'next/server';
import { getConfig } from './config/env';
import { EVENT_RETRY_INTERVAL_MS } from './events/processor';
import { createAppContext, type AppContext, type WixAppDefinition } from './app/context';
import { processRegistry } from './app/shared';
import { answerError } from './http/answer-error';
import { gateApiRequest } from './http/gate';
import { newRequestId } from './http/request-id';
import { createRouteWrappers, type RouteWrappers } from './http/route';
import { fallbackLog } from './log';

export type { AppContext, WixAppDefinition };
export type { Session, AuthenticateOptions } from './app/authenticate';
export { json, noContent, type Route, type RouteAccess, type RouteHandler } from './http/route';

export interface WixApp extends RouteWrappers {
  readonly definition: WixAppDefinition;
  /**
   * The context this process serves requests with — the middleware's and every route's, one
   * object — built from the environment on first use, with Next's `after()` for work after the
   * response. Throws `ConfigError` when the configuration is invalid (`register` reports it
   * first).
   */
  context(): AppContext;
  /** The middleware: CORS for every /api request, and an early refusal of a bad credential. */
  middleware(request: Request): Promise<Response>;
  /**
   * For instrumentation.ts's `register()`: reports invalid configuration and a database this
   * process must not use with one message (and exits), answers the methods Next cannot take
   * (TRACE, CONNECT) itself, opens the database, starts trace export when configured, and on a
   * long-running server retries failed events on a timer.
   */
  register(): Promise<void>;
}

export function createWixApp(definition: WixAppDefinition = {}): WixApp {
  let cached: AppContext | null = null;
  const context = (): AppContext => {
    if (cached) return cached;
    const config = getConfig();
    cached = createAppContext(config, {
      ...definition,
      shared: processRegistry(),
      afterResponse: (task) => after(task),
      // Where no process outlives its requests, they are what retries a failed handler; a
      // long-running server has a timer for it (src/app/startup.ts).
      drainAfterRequestsMs: config.onVercel ? EVENT_RETRY_INTERVAL_MS : 0,
    });
    return cached;
  };

  return {
    definition,
    context,
    ...createRouteWrappers(context),
    async middleware(request) {
      try {
        const gate = await gateApiRequest(request, context());
        if (gate.kind === 'respond') return gate.response;
        // Response headers given here are merged into whatever the route answers, 404s included.
        return NextResponse.next({ headers: gate.responseHeaders });
      } catch (error) {
        // Only when the context cannot be built: invalid configuration, reported at startup.
        // Named and logged like any other failure.
        return answerError(error, { log: fallbackLog, requestId: newRequestId(), request });
      }
    },
    async register() {
      const { checkConfigAtStartup, openDatabaseAtStartup, startEventRetries } =
        await import('./app/startup');
      checkConfigAtStartup();
      // TRACE and CONNECT fail inside Next before any code of ours runs (src/http/method-guard.ts).
      const { installMethodGuard } = await import('./http/method-guard');
      installMethodGuard({
        log: () => context().log,
        requestIdHeader: () => context().config.requestIdHeader,
      });
      // Trace export only when an OTLP endpoint is configured; otherwise nothing more is loaded.
      const { registerTracing } = await import('./app/register-tracing');
      await registerTracing();
      // Not awaited: Next loads the routes while the database opens (scripts/bench-cold-start.ts
      // in the template). Requests that need it wait for this same open (`app.database()`), and
      // a database this process must not use still stops the process with one message.
      void openDatabaseAtStartup(context);
      startEventRetries(context);
    },
  };
}
