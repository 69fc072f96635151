/**
 * Next 16 renamed the `middleware` file convention to `proxy`: same place, same `config`, the
 * function exported as `proxy`, and no `runtime` option (a proxy always runs on Node and refuses
 * the key). This turns the template's middleware.ts into that proxy.ts — the one transformation
 * `npm run proxy:rename` applies and `.ci/run` builds and tests (scripts/proxy-variant.sh).
 */

export type RenameResult = { ok: true; source: string } | { ok: false; reason: string };

/** The header paragraph that announces this rename: gone once it is done. */
const RENAME_NOTE =
  /\n \*\n(?: \*[^\n]*\n)*? \*[^\n]*npm run proxy:rename[^\n]*\n(?: \*(?!\/)[^\n]*\n)*/;
/** `runtime: 'nodejs',` in the config, with the comment lines right above it. */
const RUNTIME_OPTION = /\n(?:[ \t]*\/\/[^\n]*\n)*[ \t]*runtime:\s*['"]nodejs['"],?[ \t]*(?=\n)/;
const MIDDLEWARE_FUNCTION = /export (async )?function middleware\(/;

export function renameToProxy(middleware: string): RenameResult {
  if (!MIDDLEWARE_FUNCTION.test(middleware)) {
    return {
      ok: false,
      reason:
        'middleware.ts exports no `function middleware(`: rename its export to `proxy` by hand',
    };
  }
  const source = middleware
    .replace(MIDDLEWARE_FUNCTION, (_match, isAsync: string | undefined) => {
      return `export ${isAsync ?? ''}function proxy(`;
    })
    .replace(RUNTIME_OPTION, '')
    .replace(RENAME_NOTE, '\n');
  return { ok: true, source };
}
