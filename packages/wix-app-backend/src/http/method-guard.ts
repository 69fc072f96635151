/**
 * Answers the HTTP methods the Fetch API cannot carry — CONNECT, TRACE, TRACK, its "forbidden
 * methods" — with a 405 problem before Next sees them. Next turns every request into a `Request`
 * before the middleware or a route runs, and for TRACE that constructor throws ("'TRACE' HTTP
 * method is unsupported"): Next's server then answers a plain-text 500 with no request id and logs
 * a stack trace per request. CONNECT never reaches Next at all: with nothing listening for it,
 * Node closes the connection without an answer. (TRACK, like any method Node's parser does not
 * know, is refused by Node itself with a 400 before any JavaScript runs.)
 *
 * No hook of Next's runs before that `Request` is built, so the guard wraps Node's own
 * `http.Server.prototype.emit`, once per process, from `WixApp.register()`: the same code path
 * for `next start` and the standalone server.js, which both serve with `http.createServer`.
 * Every other event and method passes through untouched. Installed at startup, it misses only a
 * request that arrives before `register()` has run.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log';
import { problemResponse } from './problem';
import { REQUEST_ID_HEADER, isValidRequestId, newRequestId } from './request-id';

/** The Fetch standard's forbidden methods: `new Request()` refuses them. */
export const UNFETCHABLE_METHODS: ReadonlySet<string> = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** What the API serves at all, for the `Allow` header a 405 must carry (RFC 9110 §15.5.6). */
const SERVED_METHODS = 'GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE';

export interface MethodGuardOptions {
  /** Read per request, so the guard can be installed before the configuration is known. */
  log: () => Logger;
  /** The header a trusted proxy names requests with (TRUSTED_REQUEST_ID_HEADER), if any. */
  requestIdHeader: () => string | null;
}

const INSTALLED = Symbol.for('wix-app-backend.method-guard');

/**
 * Installs the guard on every Node HTTP server of this process; a second call does nothing.
 * Returns what removes it again (for tests: a server keeps answering CONNECT once it has).
 */
export function installMethodGuard(options: MethodGuardOptions): () => void {
  const prototype = http.Server.prototype as http.Server & { [INSTALLED]?: true };
  if (prototype[INSTALLED]) return () => {};
  prototype[INSTALLED] = true;
  const emit = prototype.emit;
  const hadOwnEmit = Object.prototype.hasOwnProperty.call(prototype, 'emit');
  const listening = new WeakSet<http.Server>();

  prototype.emit = function guardedEmit(this: http.Server, event: string | symbol, ...args) {
    if (event === 'request') {
      const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
      if (UNFETCHABLE_METHODS.has(request.method ?? '')) {
        void refuseRequest(request, response, options);
        return true;
      }
    } else if (event === 'connection' && !listening.has(this)) {
      // Node checks for a 'connect' listener when a CONNECT arrives, not when it emits: adding
      // one on the server's first connection is in time for that connection's first request.
      listening.add(this);
      if (this.listenerCount('connect') === 0) {
        this.on('connect', (request: http.IncomingMessage, socket: Socket) => {
          void refuseConnect(request, socket, options);
        });
      }
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof prototype.emit;

  return () => {
    if (hadOwnEmit) prototype.emit = emit;
    else delete (prototype as { emit?: unknown }).emit;
    delete prototype[INSTALLED];
  };
}

/** The problem, its request id, and one log line (never the target or a header's value). */
function refusal(request: http.IncomingMessage, options: MethodGuardOptions): Response {
  const trusted = safely(options.requestIdHeader, null);
  const given = trusted === null ? undefined : request.headers[trusted.toLowerCase()];
  const requestId = typeof given === 'string' && isValidRequestId(given) ? given : newRequestId();
  const method = request.method ?? '';
  safely(options.log, null)?.info('method_not_allowed', { method, requestId });
  return problemResponse(
    'method_not_allowed',
    `${method} is not served here.`,
    { allow: SERVED_METHODS, [REQUEST_ID_HEADER]: requestId, connection: 'close' },
    { requestId },
  );
}

async function refuseRequest(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  options: MethodGuardOptions,
): Promise<void> {
  const problem = refusal(request, options);
  const body = Buffer.from(await problem.text());
  response.writeHead(problem.status, {
    ...Object.fromEntries(problem.headers),
    'content-length': String(body.length),
  });
  response.end(body);
}

async function refuseConnect(
  request: http.IncomingMessage,
  socket: Socket,
  options: MethodGuardOptions,
): Promise<void> {
  const problem = refusal(request, options);
  const body = Buffer.from(await problem.text());
  const head = [
    `HTTP/1.1 ${problem.status} Method Not Allowed`,
    ...[...problem.headers].map(([name, value]) => `${name}: ${value}`),
    `content-length: ${body.length}`,
    '',
    '',
  ].join('\r\n');
  socket.on('error', () => {}); // the client may be gone already: nothing to tell anyone
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

function safely<T, F>(read: () => T, fallback: F): T | F {
  try {
    return read();
  } catch {
    return fallback; // invalid configuration: reported at startup, and the answer stays a 405
  }
}
