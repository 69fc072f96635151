/**
 * The span of one Wix call (all its attempts): method, path without its query, the final status,
 * how many attempts it took and Wix's `x-wix-request-id` — the id to quote to Wix. Headers and
 * bodies (tokens, app secrets) never reach it.
 */
import { inSpan, SpanKind, type Span } from '../tracing';
import { isWixApiError } from './wix-api-error';
import type { WixRequest, WixResponse } from './wix-fetch';

/** Runs `call` (which records `wix.attempts` on the span it is given) inside a `wix.request` span. */
export function traceWixCall<T>(
  request: WixRequest,
  call: (span: Span) => Promise<WixResponse<T>>,
): Promise<WixResponse<T>> {
  const method = request.method ?? 'GET';
  const attributes = { 'http.request.method': method, 'url.path': request.path.split('?')[0] };
  return inSpan(
    'wix.request',
    attributes,
    async (span) => {
      try {
        const response = await call(span);
        span.setAttributes({
          'http.response.status_code': response.status,
          'wix.request_id': response.requestId,
        });
        return response;
      } catch (error) {
        if (isWixApiError(error)) {
          span.setAttributes({
            'http.response.status_code': error.details.status,
            'wix.request_id': error.details.requestId,
          });
        }
        throw error;
      }
    },
    SpanKind.CLIENT,
  );
}
