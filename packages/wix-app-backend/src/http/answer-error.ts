/**
 * The one place a failed request is answered and, when the failure is ours (5xx), logged: once,
 * with its problem code, the request id the response and its body carry (`x-request-id`,
 * `requestId`), the method and path — never the query string, a header or the body — and, for an
 * unexpected error, what `errorFields` lets through. Wix's `x-wix-request-id` is logged with Wix failures so an operator
 * can quote it to Wix.
 */
import { isAppError } from '../errors/app-error';
import { errorFields, type Logger } from '../log';
import { isWixApiError } from '../wix/wix-api-error';
import { toProblemResponse } from './problem';
import { REQUEST_ID_HEADER } from './request-id';

export interface RequestLogContext {
  log: Logger;
  requestId: string;
  request: Request;
}

export function answerError(error: unknown, context: RequestLogContext): Response {
  const response = toProblemResponse(error, { requestId: context.requestId });
  if (response.status >= 500) {
    context.log.error('request_failed', {
      requestId: context.requestId,
      method: context.request.method,
      path: pathOf(context.request),
      status: response.status,
      code: isAppError(error) ? error.code : 'internal_error',
      wixRequestId: isWixApiError(error) ? error.details.requestId : undefined,
      wixStatus: isWixApiError(error) ? error.details.status : undefined,
      ...(isAppError(error) && !isWixApiError(error) ? {} : errorFields(error)),
    });
  }
  response.headers.set(REQUEST_ID_HEADER, context.requestId);
  // A body that stopped arriving was abandoned half read: the connection cannot carry another
  // request, so say so rather than let the client reuse it and be reset. (A body refused for its
  // size is read to its end and dropped instead; src/http/read-body.ts.)
  if (isAppError(error) && error.code === 'request_timeout') {
    response.headers.set('connection', 'close');
  }
  return response;
}

function pathOf(request: Request): string {
  try {
    return new URL(request.url).pathname.slice(0, 200);
  } catch {
    return '(unparsable)';
  }
}
