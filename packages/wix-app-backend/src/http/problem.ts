/**
 * RFC 9457 problem responses: the one place where an error code becomes an HTTP status, a title
 * and headers. Code under `lib/` throws `AppError` (src/errors/app-error.ts) and its subclasses
 * for Wix and the database; route handlers and the middleware turn anything thrown into a
 * response with `toProblemResponse`, so a handler never maps errors itself.
 *
 * The mapper switches on `code`, never on a message: the codes are the public contract (they are
 * listed in docs/troubleshooting.md).
 */
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../db/errors';
import { isAppError, type ErrorCode } from '../errors/app-error';
import { etagFor } from './etag';

const PROBLEM_TYPES = {
  missing_credentials: { status: 401, title: 'Credentials are missing' },
  malformed_credentials: { status: 401, title: 'Credentials are malformed' },
  invalid_signature: { status: 401, title: 'The instance signature is not valid' },
  expired_instance: { status: 401, title: 'The app instance has expired' },
  instance_not_yet_valid: { status: 401, title: 'The app instance is signed in the future' },
  wrong_app: { status: 401, title: 'The credential belongs to another app' },
  invalid_token: { status: 401, title: 'The access token is not valid' },
  invalid_webhook_signature: { status: 401, title: 'The webhook signature is not valid' },
  expired_webhook: { status: 401, title: 'The webhook delivery has expired' },
  invalid_cron_secret: { status: 401, title: 'The cron secret is missing or wrong' },
  malformed_webhook: { status: 400, title: 'The webhook delivery is malformed' },
  invalid_service_plugin_signature: {
    status: 401,
    title: 'The service-plugin call signature is not valid',
  },
  expired_service_plugin_call: { status: 401, title: 'The service-plugin call has expired' },
  malformed_service_plugin_call: { status: 400, title: 'The service-plugin call is malformed' },
  invalid_service_plugin_request: {
    status: 400,
    title: "The request does not match the method's schema",
  },
  service_plugin_not_found: { status: 404, title: 'No handler is registered for this call' },
  service_plugin_timeout: { status: 504, title: 'The service plugin did not answer in time' },
  invalid_request: { status: 400, title: 'The request is not valid' },
  invalid_json: { status: 400, title: 'The body is not valid JSON' },
  invalid_body: { status: 400, title: 'The body is not valid' },
  invalid_settings: { status: 400, title: 'The settings are not valid' },
  origin_not_allowed: { status: 403, title: 'This origin may not call the API' },
  caller_not_allowed: { status: 403, title: 'This route does not serve this kind of caller' },
  plan_required: { status: 403, title: 'This needs a paid plan' },
  app_not_installed: { status: 403, title: 'The app is not installed on this site' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'This method is not served' },
  version_conflict: { status: 412, title: 'The resource changed since it was read' },
  limit_reached: { status: 409, title: 'The site has reached a limit' },
  request_timeout: { status: 408, title: 'The body did not arrive in time' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'The body must be application/json' },
  precondition_required: { status: 428, title: 'If-Match is required' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  database_unavailable: { status: 503, title: 'The database is unavailable' },
  token_info_unavailable: { status: 503, title: 'Wix could not check the access token' },
  wix_auth_failed: { status: 502, title: 'Wix refused the app credentials' },
  wix_error: { status: 502, title: 'Wix answered with an error' },
  wix_unavailable: { status: 502, title: 'Wix could not be reached' },
  wix_rate_limited: { status: 503, title: 'Too many calls to Wix for this site' },
  wix_timeout: { status: 504, title: 'Wix did not answer in time' },
  wix_api_key_not_configured: { status: 503, title: 'No Wix API key is configured' },
  webhooks_not_configured: { status: 503, title: 'Webhooks are not configured' },
  cron_not_configured: { status: 503, title: 'The cron route is not configured' },
} as const satisfies Record<ErrorCode, { status: number; title: string }>;

export type ProblemCode = ErrorCode;

export function problemStatus(code: ErrorCode): number {
  return PROBLEM_TYPES[code].status;
}

/** Seconds a client should wait before retrying a 503 whose cause we cannot time. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Builds the `application/problem+json` response for a code. */
export function problemResponse(
  code: ErrorCode,
  detail?: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): Response {
  const { status, title } = PROBLEM_TYPES[code];
  // Extensions first: they may add members, never change the standard ones.
  const body: Record<string, unknown> = { ...extensions, type: 'about:blank', status, title, code };
  if (detail) body.detail = detail;
  const responseHeaders = new Headers(headers);
  responseHeaders.set('content-type', 'application/problem+json');
  responseHeaders.set('cache-control', 'no-store');
  if (status === 503 && !responseHeaders.has('retry-after')) {
    responseHeaders.set('retry-after', String(DEFAULT_RETRY_AFTER_SECONDS));
  }
  if (status === 401 && !responseHeaders.has('www-authenticate')) {
    // RFC 6750 §3: no error attribute when the request carried no credential at all.
    responseHeaders.set(
      'www-authenticate',
      code === 'missing_credentials'
        ? 'Bearer realm="wix-app"'
        : `Bearer realm="wix-app", error="invalid_token", error_description="${code}"`,
    );
  }
  return new Response(JSON.stringify(body), { status, headers: responseHeaders });
}

export interface ProblemOptions {
  /** The request's id (src/http/request-id.ts), added to the body as the `requestId` member. */
  requestId?: string;
  /** Hears of unexpected errors. */
  log?: (message: string) => void;
}

/**
 * Maps anything thrown to a problem response: an `AppError` (Wix, database and validation
 * errors included) to its code, a driver error meaning "the database is unreachable" to 503;
 * anything else to a generic 500 whose body says nothing about the cause. Pure: logging is the
 * caller's (src/http/answer-error.ts logs every 5xx once).
 */
export function toProblemResponse(
  caught: unknown,
  { requestId, log }: ProblemOptions = {},
): Response {
  const named = requestId === undefined ? {} : { requestId };
  // A data module that queried without `guardDatabase` still answers 503 when the database is
  // unreachable, not 500.
  const error =
    !isAppError(caught) && isDatabaseUnavailable(caught)
      ? new DatabaseUnavailableError(caught)
      : caught;
  if (!isAppError(error)) {
    log?.(
      `unhandled error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return problemResponse(
      'internal_error',
      'The server could not complete the request.',
      {},
      named,
    );
  }
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  }
  if (error.code === 'version_conflict' && error.currentVersion !== undefined) {
    headers.etag = etagFor(error.currentVersion);
  }
  return problemResponse(error.code, error.detail, headers, { ...error.extensions, ...named });
}
