/** Real `Request`s for handler and gate tests. */
export const BASE = 'http://localhost:3000';

export function apiRequest(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Request {
  return new Request(`${BASE}${path}`, init);
}
