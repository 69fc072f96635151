/**
 * Ids this app makes are lowercase UUIDs (`crypto.randomUUID()`). A path segment that is not one
 * names nothing — check it before it reaches a query: a segment may carry a NUL or a lone
 * surrogate, which PostgreSQL refuses with an error (a 500) instead of finding no row.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}
