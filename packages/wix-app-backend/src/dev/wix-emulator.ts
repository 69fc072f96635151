/**
 * A local Wix API emulator: a real HTTP server that answers the OAuth client-credentials grant,
 * Token Info and Get App Instance the way Wix does (docs/wix-protocol.md, "Access tokens and Token
 * Info" and "Calling Wix as the app": Wix's error body,
 * `x-wix-request-id`, the per-instance rate limit), plus fault injection. Tests start it on a free
 * port; `npm run dev` starts it when the app runs on the development credentials, so the demo
 * works offline. Never part of a production server.
 *
 * The `/_emulator/*` control endpoints have no authentication: the server binds to 127.0.0.1
 * unless told otherwise, and must stay on loopback.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CONTROL_PREFIX,
  handleControl,
  methodNotAllowed,
  ownEntry,
} from './wix-emulator/control-routes';
import { createFaultInjector } from './wix-emulator/faults';
import {
  newRequestId,
  pathOf,
  readBody,
  sendReply,
  wixError,
  type Reply,
} from './wix-emulator/http-io';
import { createInstanceRegistry, siteIdFor } from './wix-emulator/instances';
import { createRateLimiter } from './wix-emulator/rate-limiter';
import {
  InstanceSettingsSchema,
  parseOrThrow,
  WidgetTokenOptionsSchema,
} from './wix-emulator/schemas';
import { createStatsCounter } from './wix-emulator/stats';
import { createTokenStore } from './wix-emulator/token-store';
import type {
  EmulatorStats,
  Faults,
  InstanceSettings,
  WidgetTokenOptions,
} from './wix-emulator/types';
import {
  createAccessToken,
  getAppInstance,
  tokenInfo,
  type EmulatorContext,
  type EmulatorRequest,
} from './wix-emulator/wix-routes';

export type * from './wix-emulator/types';

export interface WixEmulatorOptions {
  appId: string;
  appSecret: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. The control endpoints are unauthenticated: keep it on loopback. */
  host?: string;
  /** Milliseconds since the epoch; tests inject a clock they can freeze and advance. */
  now?: () => number;
  /** Lifetime of minted tokens; Wix's is always 4 hours. */
  tokenTtlSeconds?: number;
  /** `strings` answers Token Info as Wix's own example does: `active: "true"`, `exp: "…"`. */
  tokenInfoStyle?: 'typed' | 'strings';
  /** Wix allows 200 calls per minute per instance; 0 turns the limit off. */
  rateLimitPerInstancePerMinute?: number;
}

export interface WixEmulator {
  /** `http://127.0.0.1:PORT`, the value for WIX_API_BASE_URL. */
  readonly url: string;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
  stats(): EmulatorStats;
  resetStats(): void;
  setFaults(faults: Faults): void;
  clearFaults(): void;
  /** A token like the ones `fetchWithAuth` sends from a widget or settings panel. */
  issueWidgetToken(options: WidgetTokenOptions): string;
  revokeToken(token: string): void;
  setInstance(instanceId: string, settings: InstanceSettings): void;
}

const WIX_TOKEN_TTL_SECONDS = 14_400;
const WIX_RATE_LIMIT_PER_MINUTE = 200;

type WixHandler = (ctx: EmulatorContext, req: EmulatorRequest) => Reply;
const WIX_ROUTES: Record<string, Record<string, WixHandler>> = {
  '/oauth2/token': { POST: createAccessToken },
  '/oauth2/token-info': { POST: tokenInfo },
  '/apps/v1/instance': { GET: getAppInstance },
};

/** Starts the emulator and resolves once it listens. */
export async function startWixEmulator(options: WixEmulatorOptions): Promise<WixEmulator> {
  const opts = resolveOptions(options);
  const { now } = opts;
  const stats = createStatsCounter();
  const faults = createFaultInjector();
  const ctx: EmulatorContext = {
    appId: opts.appId,
    appSecret: opts.appSecret,
    tokenTtlSeconds: opts.tokenTtlSeconds,
    tokenInfoStyle: opts.tokenInfoStyle,
    tokens: createTokenStore(now),
    instances: createInstanceRegistry(now),
    limiter: createRateLimiter(opts.rateLimitPerInstancePerMinute, now),
    stats,
  };
  const delays = createDelays();

  const api: Omit<WixEmulator, 'url' | 'close'> = {
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setFaults: (next) => faults.set(next),
    clearFaults: () => faults.clear(),
    issueWidgetToken(input) {
      const o = parseOrThrow(WidgetTokenOptionsSchema, input, 'widget token options');
      return ctx.tokens.issue({
        kind: 'widget',
        instanceId: o.omitInstanceId ? undefined : o.instanceId,
        clientId: o.clientId ?? opts.appId,
        subjectType: o.subjectType ?? 'VISITOR',
        subjectId: o.subjectId,
        siteId: o.siteId ?? siteIdFor(o.instanceId),
        ttlSeconds: o.ttlSeconds ?? opts.tokenTtlSeconds,
        active: o.active,
      }).token;
    },
    revokeToken: (token) => void ctx.tokens.revoke(token),
    setInstance(instanceId, input) {
      const settings = parseOrThrow(InstanceSettingsSchema, input, 'instance settings');
      if (ctx.instances.update(instanceId, settings).removed) ctx.tokens.revokeInstance(instanceId);
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('x-wix-request-id', newRequestId(now()));
    const method = req.method ?? 'GET';
    const path = pathOf(req.url);
    const control = path.startsWith(CONTROL_PREFIX);
    if (!control) stats.counts.requests++;

    const body = await readBody(req);
    if (!body.ok) {
      if (body.reason === 'aborted') return;
      res.setHeader('connection', 'close');
      return sendReply(res, wixError(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'));
    }
    if (control) return sendReply(res, handleControl(api, method, path, body.text));

    const methods = ownEntry(WIX_ROUTES, path);
    if (!methods) return sendReply(res, wixError(404, 'NOT_FOUND', `No API at ${path}`));
    const handler = ownEntry(methods, method);
    if (!handler) return sendReply(res, methodNotAllowed(Object.keys(methods)));

    const fault = faults.take(path);
    if (fault.latencyMs > 0) {
      stats.counts.faultsInjected.latency++;
      await delays.wait(fault.latencyMs);
    }
    switch (fault.action?.kind) {
      case 'drop':
        stats.counts.faultsInjected.dropped++;
        req.socket.destroy();
        return;
      case 'status500':
        stats.counts.faultsInjected.status500++;
        return sendReply(res, wixError(500, 'INTERNAL_ERROR', 'Injected internal error'));
      case 'status429':
        stats.counts.faultsInjected.status429++;
        return sendReply(
          res,
          wixError(429, 'RATE_LIMIT_EXCEEDED', 'Injected rate limit', {
            'retry-after': String(fault.action.retryAfterSeconds),
          }),
        );
    }
    sendReply(res, handler(ctx, { method, path, headers: req.headers, body: body.text }));
  }

  const server = createServer((req, res) => {
    // A bug here answers 500 on that request; the server keeps serving.
    handle(req, res).catch(() => {
      try {
        sendReply(res, wixError(500, 'INTERNAL_ERROR', 'Emulator error'));
      } catch {
        res.destroy();
      }
    });
  });
  // Malformed HTTP never reaches `handle`: answer 400 where possible and drop the connection.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | null = null;
  return {
    ...api,
    url: `http://${urlHost(opts.host)}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        delays.flush();
      });
      return closing;
    },
  };
}

function resolveOptions(options: WixEmulatorOptions) {
  const o = {
    appId: options.appId,
    appSecret: options.appSecret,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    now: options.now ?? Date.now,
    tokenTtlSeconds: options.tokenTtlSeconds ?? WIX_TOKEN_TTL_SECONDS,
    tokenInfoStyle: options.tokenInfoStyle ?? 'typed',
    rateLimitPerInstancePerMinute:
      options.rateLimitPerInstancePerMinute ?? WIX_RATE_LIMIT_PER_MINUTE,
  };
  const problems = [
    !o.appId.trim() && 'appId is blank',
    !o.appSecret && 'appSecret is blank',
    !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65_535) && 'port must be 0–65535',
    !(Number.isInteger(o.tokenTtlSeconds) && o.tokenTtlSeconds > 0) &&
      'tokenTtlSeconds must be a positive integer',
    !(Number.isInteger(o.rateLimitPerInstancePerMinute) && o.rateLimitPerInstancePerMinute >= 0) &&
      'rateLimitPerInstancePerMinute must be an integer ≥ 0',
  ].filter(Boolean);
  if (problems.length > 0) throw new TypeError(`startWixEmulator: ${problems.join('; ')}`);
  return o;
}

/** A wildcard bind address is not something a client can connect to; loopback is. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Injected-latency timers, so close() does not wait for (or leak) a pending delay. */
function createDelays() {
  const pending = new Map<NodeJS.Timeout, () => void>();
  return {
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve();
        }, ms);
        pending.set(timer, resolve);
      }),
    flush() {
      for (const [timer, resolve] of pending) {
        clearTimeout(timer);
        resolve();
      }
      pending.clear();
    },
  };
}
