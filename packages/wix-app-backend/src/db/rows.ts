/**
 * The rows of a raw `db.execute(sql…)`: postgres.js answers them as the result itself, PGlite
 * under `.rows`. Typed queries (`select()`, prepared statements) need none of this.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
