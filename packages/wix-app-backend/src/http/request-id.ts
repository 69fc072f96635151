/**
 * Request ids: every answer names its request in `x-request-id`, every problem body carries it as
 * `requestId`, and every log line written while serving the request does too, so a client's
 * report of a failure leads to its log lines and its trace.
 *
 * An id sent by the client is ignored unless the deployment names a header that the platform in
 * front of the app sets itself (TRUSTED_REQUEST_ID_HEADER; on Vercel `x-vercel-id`): anything a
 * client can set, it can forge, and a forged id would file its requests under someone else's.
 * Even a trusted value must look like an id — printable ASCII, at most 128 characters — before it
 * reaches a header, a body or a log line; otherwise a fresh one is minted.
 */

/** The response header that names a request in the logs. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest incoming id honoured; longer ones are replaced by a fresh id. */
export const MAX_REQUEST_ID_LENGTH = 128;

/** Printable ASCII without spaces: safe in a header, a JSON body and a log line as it is. */
const REQUEST_ID_SHAPE = /^[\x21-\x7e]+$/;

/** A new request id: random, short enough to read aloud from a log. */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/** True when `value` may be used as a request id. */
export function isValidRequestId(value: string): boolean {
  return value.length <= MAX_REQUEST_ID_LENGTH && REQUEST_ID_SHAPE.test(value);
}

/**
 * The request's id: the value of `trustedHeader` when one is configured and its value is a valid
 * id, else a new one.
 */
export function requestIdFor(request: Request, trustedHeader: string | null): string {
  if (trustedHeader !== null) {
    const given = request.headers.get(trustedHeader);
    if (given !== null && isValidRequestId(given)) return given;
  }
  return newRequestId();
}
