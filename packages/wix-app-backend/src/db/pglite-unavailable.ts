/**
 * What `@electric-sql/pglite` and `drizzle-orm/pglite` resolve to in a Vercel build
 * (next.config.mjs). There startup refuses to run without DATABASE_URL, so PGlite is never opened,
 * and leaving its ≈ 20 MB of WASM and data out keeps every function small
 * (docs/decisions/021-containers-and-vercel-traces.md). Reaching this is a bug: say so plainly.
 */
const MESSAGE =
  'PGlite is left out of Vercel builds (next.config.mjs): set DATABASE_URL to a PostgreSQL server.';

/** Stands in for PGlite's class: constructing it throws. */
export class PGlite {
  constructor() {
    throw new Error(MESSAGE);
  }
}

/** Stands in for drizzle-orm/pglite's `drizzle`: calling it throws. */
export function drizzle(): never {
  throw new Error(MESSAGE);
}
