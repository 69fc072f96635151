/**
 * What the Wix client tests share: a controllable clock, a recording `sleep` (retries and budget
 * waits happen, but instantly), an in-memory migrated database with its app-token store, the
 * emulator with the test app's credentials, and a tiny node:http server for answers the emulator
 * does not give.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startWixEmulator,
  type WixEmulator,
  type WixEmulatorOptions,
} from '../../src/dev/wix-emulator';
import { openAppDatabase, type AppDatabase } from '../../src/app/database';
import { IN_MEMORY_DATA_DIR, type DatabaseHandle } from '../../src/db/open-database';
import type { AppTokenStore } from '../../src/wix/app-token-store';
import { TEST_APP_ID, TEST_APP_SECRET } from '../../src/testing/test-credentials';

/** 2026-03-01T12:00:00Z: a fixed start, so expiry arithmetic is exact. */
export const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);

export interface Clock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function createClock(start = T0): Clock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
    set(ms) {
      current = ms;
    },
  };
}

/** A `sleep` that records each delay, advances `clock` by it (when given) and resolves at once. */
export function recordingSleep(clock?: Clock): {
  sleep: (ms: number) => Promise<void>;
  delays: number[];
} {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => {
      delays.push(ms);
      clock?.advance(ms);
    },
  };
}

export interface MemoryStore {
  /** The app-token store (src/wix/app-token-store.ts) the providers under test use. */
  store: AppTokenStore;
  database: AppDatabase;
  handle: DatabaseHandle;
  close(): Promise<void>;
}

/** A migrated, composed in-memory PGlite database (≈ 2 s to open: share one per file). */
export async function openMemoryStore(): Promise<MemoryStore> {
  const database = await openAppDatabase({ databaseUrl: null, dataDir: IN_MEMORY_DATA_DIR });
  return {
    database,
    store: database.appTokens,
    handle: database.handle,
    close: () => database.close(),
  };
}

/** The emulator for the test app (the test app's credentials). */
export function startTestEmulator(options: Partial<WixEmulatorOptions> = {}): Promise<WixEmulator> {
  return startWixEmulator({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, ...options });
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TinyServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** A loopback server answering with `handle`; every request it saw is kept, in order. */
export async function startTinyServer(
  handle: (request: SeenRequest, res: ServerResponse) => void,
): Promise<TinyServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      handle(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes a JSON answer (Wix-style, with a request id). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-wix-request-id': '1700000000.42',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** Wix's standard error body (docs/wix-protocol.md, "Calling Wix as the app"). */
export function wixErrorBody(code: string, message = code) {
  return { message, details: { applicationError: { code, description: message } } };
}

/** The rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
