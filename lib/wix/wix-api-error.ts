/**
 * The one error type for everything that goes wrong talking to Wix, and its mapping to our
 * problem codes. Wix's own error body (`{ message, details: { applicationError: { code } } }`)
 * and `x-wix-request-id` are kept for the log; the client sees only our code.
 */
import { HttpError, type ProblemCode } from '../http/problem';

export type WixFailureKind =
  /** Wix answered with a non-2xx status. */
  | 'http'
  /** No answer within the timeout. */
  | 'timeout'
  /** Connection refused, reset or dropped. */
  | 'network'
  /** Our own per-instance budget (below Wix's 200/min) is spent. */
  | 'budget';

const WIX_API_ERROR_BRAND = Symbol.for('wix-app-backend.WixApiError');

/** True for a `WixApiError` from any bundle's copy of this module (see isHttpError). */
export function isWixApiError(value: unknown): value is WixApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[WIX_API_ERROR_BRAND] === true
  );
}

export class WixApiError extends Error {
  readonly [WIX_API_ERROR_BRAND] = true;

  constructor(
    readonly kind: WixFailureKind,
    readonly details: {
      status?: number;
      /** Wix's `applicationError.code`, when it sent one. */
      wixCode?: string;
      requestId?: string;
      /** Seconds, from Retry-After or our budget. */
      retryAfterSeconds?: number;
      path?: string;
    } = {},
    message?: string,
  ) {
    super(
      message ??
        `Wix ${kind} error${details.status ? ` ${details.status}` : ''}${details.path ? ` on ${details.path}` : ''}`,
    );
    this.name = 'WixApiError';
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

/** What our client is told when a Wix call fails for good. */
export function wixErrorToHttp(error: WixApiError): HttpError {
  const retry = error.details.retryAfterSeconds;
  const headers: Record<string, string> =
    retry !== undefined ? { 'retry-after': String(Math.max(1, Math.ceil(retry))) } : {};
  const code: ProblemCode =
    error.kind === 'timeout'
      ? 'wix_timeout'
      : error.kind === 'network'
        ? 'wix_unavailable'
        : error.kind === 'budget' || error.status === 429
          ? 'wix_rate_limited'
          : error.status === 401 || error.status === 403
            ? 'wix_auth_failed'
            : error.status !== undefined && error.status >= 500
              ? 'wix_unavailable'
              : 'wix_error';
  if ((code === 'wix_rate_limited' || code === 'wix_unavailable') && !headers['retry-after']) {
    headers['retry-after'] = '5';
  }
  const requestId = error.details.requestId ? ` (Wix request ${error.details.requestId})` : '';
  return new HttpError(code, `The call to Wix failed${requestId}.`, headers);
}
