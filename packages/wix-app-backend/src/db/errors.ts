/**
 * Tells "the database cannot be reached" apart from bugs: the first becomes a 503 the client can
 * retry, the second a 500. Drizzle wraps driver errors, so causes are followed.
 */
import { AppError, isAppError } from '../errors/app-error';
import { inSpan } from '../tracing';

/** How long clients are told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // postgres.js
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  // PostgreSQL SQLSTATE: connection exceptions, shutdown, too many connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  return someCause(
    error,
    (e) =>
      (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) ||
      (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)),
  );
}

/** True when the error, or one of its causes, carries this SQLSTATE (e.g. '42P01'). */
export function hasSqlState(error: unknown, sqlState: string): boolean {
  return someCause(error, (e) => e.code === sqlState);
}

/** Drizzle wraps the driver's error: what matters may be on it or on a cause a few levels down. */
function someCause(error: unknown, test: (e: { code?: unknown }) => boolean): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (test(e as { code?: unknown })) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The database cannot be reached (or did not answer in time): 503 with Retry-After. */
export class DatabaseUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super('database_unavailable', 'The database cannot be reached; retry shortly.', {
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      cause,
    });
    this.name = 'DatabaseUnavailableError';
  }
}

export function databaseUnavailable(cause?: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(cause);
}

/**
 * The longest a database operation may hold a request. postgres.js has no per-query timeout, and
 * while a server restarts a query can wait through several connect attempts (14.6 s measured);
 * past this the client gets 503 instead. A write cut off this way may still commit — exactly
 * what a 503 allows — and the version check (If-Match) keeps a retry from applying it twice.
 */
export const DATABASE_OPERATION_TIMEOUT_MS = 8_000;

/**
 * Runs a database call, converting "unreachable" (or slower than `timeoutMs`; null for none)
 * into `DatabaseUnavailableError` (503). Every store's operation passes through here, so this is
 * where each becomes a `db.operation` span (src/tracing.ts; a failure shows as its code).
 */
export function guardDatabase<T>(
  run: () => Promise<T>,
  timeoutMs: number | null = DATABASE_OPERATION_TIMEOUT_MS,
): Promise<T> {
  return inSpan('db.operation', timeoutMs === null ? {} : { 'db.deadline_ms': timeoutMs }, () =>
    guarded(run, timeoutMs),
  );
}

async function guarded<T>(run: () => Promise<T>, timeoutMs: number | null): Promise<T> {
  // Once, as a real promise: drizzle queries are lazy thenables that run again on every `.then()`,
  // and this function subscribes twice (the deadline race and the late-failure guard).
  const operation = Promise.resolve().then(run);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (timeoutMs === null) return await operation;
    // The operation's own failure after the deadline must not become an unhandled rejection.
    operation.catch(() => {});
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(databaseUnavailable()), timeoutMs);
    });
    return await Promise.race([operation, deadline]);
  } catch (error) {
    throw !isAppError(error) && isDatabaseUnavailable(error) ? databaseUnavailable(error) : error;
  } finally {
    clearTimeout(timer);
  }
}
