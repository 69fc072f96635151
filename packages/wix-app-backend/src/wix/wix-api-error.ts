/**
 * The one error type for everything that goes wrong talking to Wix. It is an `AppError` whose
 * code is chosen here from what went wrong, so a route handler that calls Wix needs no wrapper:
 * the problem mapper answers 502/503/504 with `Retry-After` where it applies. Wix's own error
 * code and `x-wix-request-id` are kept for the log; the client sees only our code.
 */
import { AppError, type ErrorCode } from '../errors/app-error';

export type WixFailureKind =
  /** Wix answered with a non-2xx status. */
  | 'http'
  /** No answer within the timeout. */
  | 'timeout'
  /** Connection refused, reset or dropped. */
  | 'network'
  /** Our own per-instance budget (below Wix's 200/min) is spent. */
  | 'budget';

/** Seconds a client is told to wait when Wix is failing and gave no Retry-After of its own. */
export const WIX_DEFAULT_RETRY_AFTER_SECONDS = 5;

const WIX_API_ERROR_BRAND = Symbol.for('wix-app-backend.WixApiError');

/** True for a `WixApiError` from any bundle's copy of this module (see isAppError). */
export function isWixApiError(value: unknown): value is WixApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[WIX_API_ERROR_BRAND] === true
  );
}

export interface WixFailureDetails {
  status?: number;
  /** Wix's `applicationError.code`, when it sent one. */
  wixCode?: string;
  requestId?: string;
  /** Seconds, from Retry-After or our budget. */
  retryAfterSeconds?: number;
  path?: string;
}

export class WixApiError extends AppError {
  readonly [WIX_API_ERROR_BRAND] = true;

  constructor(
    readonly kind: WixFailureKind,
    readonly details: WixFailureDetails = {},
    message?: string,
  ) {
    const code = codeFor(kind, details.status);
    const requestId = details.requestId ? ` (Wix request ${details.requestId})` : '';
    super(code, `The call to Wix failed${requestId}.`, {
      retryAfterSeconds:
        details.retryAfterSeconds ??
        (code === 'wix_rate_limited' || code === 'wix_unavailable'
          ? WIX_DEFAULT_RETRY_AFTER_SECONDS
          : undefined),
    });
    this.name = 'WixApiError';
    // The log's version of events: what failed, where, and Wix's request id. Never a token.
    this.message =
      message ??
      `Wix ${kind} error${details.status ? ` ${details.status}` : ''}${details.path ? ` on ${details.path}` : ''}`;
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

/** Which of our codes a Wix failure becomes. */
function codeFor(kind: WixFailureKind, status: number | undefined): ErrorCode {
  if (kind === 'timeout') return 'wix_timeout';
  if (kind === 'network') return 'wix_unavailable';
  if (kind === 'budget' || status === 429) return 'wix_rate_limited';
  if (status === 401 || status === 403) return 'wix_auth_failed';
  if (status !== undefined && status >= 500) return 'wix_unavailable';
  return 'wix_error';
}
