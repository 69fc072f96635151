/**
 * Which credential a path needs, from an app's `publicPaths` and `serverPaths`: the gate reads it
 * for every /api request (the context's `accessOf`), and the route inventory holds every route
 * file's wrapper to it — one reading of the lists, so the two cannot disagree on a path.
 */
import type { RouteAccess } from './context';

export function pathAccess(lists: {
  publicPaths?: readonly string[];
  serverPaths?: readonly string[];
}): (path: string) => RouteAccess {
  const publicPaths = new Set(lists.publicPaths);
  const serverPaths = new Set(lists.serverPaths);
  // `/api/x/*` covers `/api/x/…`, not `/api/x` itself nor `/api/xy`.
  const serverPrefixes = [...serverPaths]
    .filter((p) => p.endsWith('/*'))
    .map((p) => p.slice(0, -1));
  return (path) =>
    serverPaths.has(path) || serverPrefixes.some((prefix) => path.startsWith(prefix))
      ? 'server'
      : publicPaths.has(path)
        ? 'public'
        : 'instance';
}
