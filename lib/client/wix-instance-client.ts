/**
 * The two frontend helpers from Wix's "Integrate your own backend" flow. This file has no
 * imports: copy it into a Wix CLI app as is and set BASE_API_URL to where this backend runs
 * (see docs/wix-cli-app.md).
 */

/** Your backend's origin, e.g. "https://my-wix-backend.vercel.app". Empty means same origin. */
export const BASE_API_URL = '';

/**
 * The signed app instance Wix appends to the dashboard page's iframe URL (`?instance=…`).
 * Null when the page was not opened by Wix (or by the dev sample-site links).
 */
export function getAppInstance(search: string = window.location.search): string | null {
  const instance = new URLSearchParams(search).get('instance');
  return instance && instance.length > 0 ? instance : null;
}

/**
 * `fetch` to the backend with the app instance as the raw `Authorization` value, as the Wix docs
 * describe. Returns the Response so the caller can read the status and the problem `code`.
 */
export function fetchWithWixInstance(
  path: string,
  init: RequestInit = {},
  options: { baseUrl?: string; instance?: string | null } = {},
): Promise<Response> {
  const instance = options.instance !== undefined ? options.instance : getAppInstance();
  const headers = new Headers(init.headers);
  if (instance) headers.set('Authorization', instance);
  if (init.body !== undefined && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  const base = (options.baseUrl ?? BASE_API_URL).replace(/\/$/, '');
  return fetch(`${base}${path.startsWith('/') ? path : `/${path}`}`, { ...init, headers });
}
