/**
 * The one fetch wrapper every Wix call goes through: base URL, per-attempt timeout, bounded
 * retries with exponential backoff and jitter that honour Retry-After, and conversion of every
 * failure into a `WixApiError`. Auth headers are the caller's (they differ per credential kind).
 */
import type { Span } from '../tracing';
import { WIX_REQUEST_TIMEOUT_MS, wixRetryWindowMs } from './timeouts';
import { traceWixCall } from './trace-wix-call';
import { WixApiError, isWixApiError } from './wix-api-error';

/** At most this many tries per call, all starting within the retry window (timeouts.ts). */
export const WIX_MAX_ATTEMPTS = 3;
export const WIX_BACKOFF_BASE_MS = 250;
/** A retry that could run for less than this before the window closes is not started. */
const MIN_USEFUL_ATTEMPT_MS = 250;

export interface WixRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the base URL, starting with `/`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface WixResponse<T> {
  status: number;
  body: T;
  requestId: string | undefined;
}

export type WixFetch = <T = unknown>(request: WixRequest) => Promise<WixResponse<T>>;

export interface WixFetchOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** One attempt; default WIX_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  maxAttempts?: number;
  /** Default: twice `timeoutMs` (wixRetryWindowMs), room for one retry of a slow try. */
  retryWindowMs?: number;
  backoffBaseMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export function createWixFetch(options: WixFetchOptions): WixFetch {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch =
    options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? WIX_REQUEST_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? WIX_MAX_ATTEMPTS;
  const windowMs = options.retryWindowMs ?? wixRetryWindowMs(timeoutMs);
  const backoffBaseMs = options.backoffBaseMs ?? WIX_BACKOFF_BASE_MS;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;

  // Each call, all its attempts together, is one `wix.request` span (trace-wix-call.ts).
  const call = async function wixFetch<T>(
    request: WixRequest,
    span: Span,
  ): Promise<WixResponse<T>> {
    const started = now();
    const { path } = request;
    const headers = mergeHeaders(
      { accept: 'application/json' },
      request.headers,
      request.body !== undefined ? { 'content-type': 'application/json' } : undefined,
    );
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);

    for (let attempt = 1; ; attempt++) {
      span.setAttribute('wix.attempts', attempt);
      let failure: WixApiError;
      let retryAfterMs: number | undefined;
      try {
        // No attempt may outlast the window: the whole call ends within it.
        const attemptTimeoutMs = Math.max(1, Math.min(timeoutMs, windowMs - (now() - started)));
        const response = await doFetch(`${baseUrl}${path}`, {
          method: request.method ?? 'GET',
          headers,
          body,
          signal: AbortSignal.timeout(attemptTimeoutMs),
        });
        const requestId = response.headers.get('x-wix-request-id') ?? undefined;
        const text = await response.text();
        if (response.ok) return { status: response.status, body: parseJson(text) as T, requestId };
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now());
        failure = new WixApiError('http', {
          status: response.status,
          wixCode: wixErrorCode(text),
          requestId,
          retryAfterSeconds: retryAfter,
          path,
        });
        // Only "try again later" answers are retried; any other 4xx is final.
        if (response.status !== 429 && response.status < 500) throw failure;
        retryAfterMs = retryAfter !== undefined ? retryAfter * 1000 : undefined;
      } catch (error) {
        if (isWixApiError(error)) throw error;
        const timedOut =
          error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        failure = new WixApiError(timedOut ? 'timeout' : 'network', { path }, undefined);
      }
      const backoff = backoffBaseMs * 2 ** (attempt - 1) * (0.5 + random());
      const delay = Math.max(retryAfterMs ?? 0, backoff);
      // Give up when out of tries, or when waiting would overrun the window: the caller then
      // answers 502/503 with Retry-After instead of holding the request.
      // (A retry that would start with almost no time left is not worth starting.)
      if (attempt >= maxAttempts || now() - started + delay + MIN_USEFUL_ATTEMPT_MS > windowMs)
        throw failure;
      await sleep(delay);
    }
  };
  return (request) => traceWixCall(request, (span) => call(request, span));
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new WixApiError('http', {}, 'Wix answered 2xx with a body that is not JSON');
  }
}

/** Wix's error body: `{ message, details: { applicationError: { code } } }`. */
function wixErrorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { details?: { applicationError?: { code?: unknown } } })
      .details?.applicationError?.code;
    return typeof code === 'string' ? code.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Merges header records with names compared case-insensitively (lowercased); later sources win.
 * A plain object spread would keep `Authorization` and `authorization` side by side, and fetch
 * would then send both values joined by a comma.
 */
export function mergeHeaders(
  ...sources: (Record<string, string> | undefined)[]
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) merged[name.toLowerCase()] = value;
  }
  return merged;
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - nowMs) / 1000)) : undefined;
}
