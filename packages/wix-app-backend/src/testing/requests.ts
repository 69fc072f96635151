import { expect } from 'vitest';

/** Real `Request`s for handler and gate tests. */
export const BASE = 'http://localhost:3000';

export function apiRequest(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Request {
  return new Request(`${BASE}${path}`, init);
}

/** The fields every problem response carries. */
export interface Problem {
  type: string;
  status: number;
  title: string;
  code: string;
  detail?: string;
  /** The request's id, as in the `x-request-id` header (src/http/request-id.ts). */
  requestId?: string;
}

/**
 * Asserts an RFC 9457 problem with this status and code (in the status line and the body), and,
 * when the answer names its request (`x-request-id`), the same id in the body's `requestId`.
 */
export async function expectProblem(
  response: Response,
  status: number,
  code: string,
): Promise<Problem> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as Problem;
  const requestId = response.headers.get('x-request-id');
  expect({
    httpStatus: response.status,
    status: body.status,
    code: body.code,
    requestId: body.requestId,
  }).toEqual({ httpStatus: status, status, code, requestId: requestId ?? undefined });
  return body;
}
