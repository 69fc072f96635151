/**
 * The one error type of the domain. Code under `lib/` throws `AppError(code)` (or a subclass:
 * `WixApiError`, `DatabaseUnavailableError`) and never thinks about HTTP; `src/http/problem.ts`
 * is the one place that turns a code into a status, a title and headers. The codes are the
 * public contract: clients switch on them (docs/troubleshooting.md).
 */

/**
 * Every stable error code. Adding one here makes `src/http/problem.ts` fail to compile until it
 * has a status and a title.
 */
export type ErrorCode =
  | 'missing_credentials'
  | 'malformed_credentials'
  | 'invalid_signature'
  | 'expired_instance'
  | 'instance_not_yet_valid'
  | 'wrong_app'
  | 'invalid_token'
  | 'invalid_webhook_signature'
  | 'expired_webhook'
  | 'invalid_cron_secret'
  | 'malformed_webhook'
  | 'invalid_service_plugin_signature'
  | 'expired_service_plugin_call'
  | 'malformed_service_plugin_call'
  | 'invalid_service_plugin_request'
  | 'service_plugin_not_found'
  | 'service_plugin_timeout'
  | 'invalid_request'
  | 'invalid_json'
  | 'invalid_body'
  | 'invalid_settings'
  | 'origin_not_allowed'
  | 'caller_not_allowed'
  | 'plan_required'
  | 'app_not_installed'
  | 'not_found'
  | 'method_not_allowed'
  | 'version_conflict'
  | 'limit_reached'
  | 'payload_too_large'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'precondition_required'
  | 'too_many_requests'
  | 'internal_error'
  | 'database_unavailable'
  | 'token_info_unavailable'
  | 'wix_auth_failed'
  | 'wix_error'
  | 'wix_unavailable'
  | 'wix_rate_limited'
  | 'wix_timeout'
  | 'wix_api_key_not_configured'
  | 'webhooks_not_configured'
  | 'cron_not_configured';

/** Codes that mean "the credential did not authenticate": they answer 401 with a challenge. */
export type AuthFailureCode = Extract<
  ErrorCode,
  | 'missing_credentials'
  | 'malformed_credentials'
  | 'invalid_signature'
  | 'expired_instance'
  | 'instance_not_yet_valid'
  | 'wrong_app'
  | 'invalid_token'
>;

/**
 * Marks our errors across bundles. Next compiles lib/ into several bundles (instrumentation,
 * middleware, each route), each with its own copy of this class, while objects such as the
 * database are shared between them: an error thrown by one copy fails `instanceof` against
 * another. A registered Symbol is the same in every copy.
 */
const APP_ERROR_BRAND = Symbol.for('wix-app-backend.AppError');

/** True for an `AppError` (or subclass) from any bundle's copy of this module. */
export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[APP_ERROR_BRAND] === true
  );
}

export interface AppErrorOptions {
  /** When the client may retry (rate limits, outages). */
  retryAfterSeconds?: number;
  /** For `version_conflict`: the version that is current now (the client's next `If-Match`). */
  currentVersion?: number;
  /** More members of the problem body (RFC 9457 extensions), e.g. `plans` for plan_required. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/** An expected failure with a stable code. `detail` reaches the client: never put secrets in it. */
export class AppError extends Error {
  readonly [APP_ERROR_BRAND] = true;
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly currentVersion: number | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, detail?: string, options: AppErrorOptions = {}) {
    super(detail ? `${code}: ${detail}` : code, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.currentVersion = options.currentVersion;
    this.extensions = options.extensions;
  }
}
