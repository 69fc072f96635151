/**
 * Origins as CORS compares them: exact and canonical. Used for CORS_ALLOWED_ORIGINS, so a
 * configured origin and a browser's `Origin` header are compared in the same form.
 */

/** An origin in canonical form (`scheme://host[:port]`), or null if `text` is not exactly one. */
export function parseOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const bare =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    !url.username &&
    !url.password &&
    url.pathname === '/' &&
    !text.includes('?') &&
    !text.includes('#') &&
    !url.hostname.includes('*');
  return bare ? url.origin : null;
}
