import { describe, expect, it } from 'vitest';
import { composeDatabase } from '../../src/app/database';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DatabaseUnavailableError,
  databaseUnavailable,
  guardDatabase,
  isDatabaseUnavailable,
} from '../../src/db/errors';
import { openDatabase } from '../../src/db/open-database';
import { AppError, isAppError } from '../../src/errors/app-error';
import { toProblemResponse } from '../../src/http/problem';
import { createDocumentStore } from '../fixtures/documents';

/** An error shaped like the ones node and the drivers throw: a message plus a string `code`. */
function codedError(code: string, message = `failed: ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['ECONNREFUSED', 'connection refused'],
    ['ETIMEDOUT', 'timed out'],
    ['CONNECT_TIMEOUT', 'postgres.js connect timeout'],
    ['CONNECTION_CLOSED', 'postgres.js closed connection'],
    ['57P01', 'admin shutdown (SQLSTATE)'],
    ['08006', 'connection failure (SQLSTATE)'],
    ['53300', 'too many connections (SQLSTATE)'],
  ])('is true for %s (%s)', (code) => {
    expect(isDatabaseUnavailable(codedError(code))).toBe(true);
  });

  it('follows causes, as drizzle wraps driver errors', () => {
    const driver = codedError('ECONNREFUSED');
    const wrapped = new Error('Failed query: select 1', { cause: driver });
    expect(isDatabaseUnavailable(new Error('outer', { cause: wrapped }))).toBe(true);
  });

  it('looks inside an AggregateError (one per address tried)', () => {
    const error = new AggregateError(
      [new Error('something else'), codedError('ECONNREFUSED')],
      'connect failed',
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('looks inside an AggregateError found as a cause', () => {
    const error = new Error('Failed query', {
      cause: new AggregateError([codedError('ECONNREFUSED')], ''),
    });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('is false for a unique violation (23505), which is a bug, not an outage', () => {
    const error = new Error('Failed query', { cause: codedError('23505', 'duplicate key') });
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('is false for a plain Error, an AggregateError of plain errors and non-errors', () => {
    expect(isDatabaseUnavailable(new Error('ECONNREFUSED in the message only'))).toBe(false);
    expect(isDatabaseUnavailable(new AggregateError([new Error('x')], 'y'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
    expect(isDatabaseUnavailable({ code: 42 })).toBe(false);
  });

  it('stops following a cycle of causes', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe('guardDatabase', () => {
  it('runs a lazy thenable (a drizzle query) exactly once, with and without a deadline', async () => {
    // A drizzle query builder runs its SQL on every `.then()`; subscribing twice ran it twice.
    for (const timeoutMs of [1_000, null]) {
      let runs = 0;
      const query = {
        then(resolve: (value: string) => void) {
          runs++;
          resolve('rows');
        },
      };
      expect(await guardDatabase(() => query as unknown as Promise<string>, timeoutMs)).toBe(
        'rows',
      );
      expect(runs).toBe(1);
    }
  });

  it('returns what the call returns', async () => {
    expect(await guardDatabase(async () => 42)).toBe(42);
  });

  it('turns an unreachable database into DatabaseUnavailableError with a retry time', async () => {
    const cause = new Error('Failed query', { cause: codedError('ECONNREFUSED') });
    const error = await guardDatabase(async () => {
      throw cause;
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({
      code: 'database_unavailable',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      cause,
    });
    // The client never sees the driver's message.
    expect((error as AppError).detail).not.toContain('ECONNREFUSED');
    const response = toProblemResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
    expect(await response.text()).not.toContain('ECONNREFUSED');
  });

  it('passes an AppError through unchanged, even one caused by an unreachable database', async () => {
    const mine = new AppError('not_found', 'nothing here', { cause: codedError('ECONNREFUSED') });
    await expect(
      guardDatabase(async () => {
        throw mine;
      }),
    ).rejects.toBe(mine);
  });

  it('rethrows any other error unchanged', async () => {
    const bug = codedError('23505', 'duplicate key');
    await expect(
      guardDatabase(async () => {
        throw bug;
      }),
    ).rejects.toBe(bug);
  });
});

describe('DatabaseUnavailableError', () => {
  it('is an AppError with code database_unavailable and the retry time', () => {
    const cause = codedError('ECONNRESET');
    const error = databaseUnavailable(cause);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toBeInstanceOf(AppError);
    expect(isAppError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'DatabaseUnavailableError',
      code: 'database_unavailable',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      cause,
    });
  });
});

describe('an AppDatabase over a PostgreSQL that is not there', () => {
  it('rejects ping with DatabaseUnavailableError quickly', { timeout: 15_000 }, async () => {
    const handle = await openDatabase({
      databaseUrl: 'postgres://postgres@127.0.0.1:1/x',
      dataDir: 'unused',
    });
    try {
      const database = composeDatabase(handle);
      const started = Date.now();
      const error = await database.ping().catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error).toMatchObject({ code: 'database_unavailable' });
      await expect(createDocumentStore(database.db).getDocument('any')).rejects.toBeInstanceOf(
        DatabaseUnavailableError,
      );
      await expect(database.instances.recordSeen('any', Date.now())).rejects.toMatchObject({
        code: 'database_unavailable',
      });
      await expect(database.appTokens.readAppToken('any')).rejects.toMatchObject({
        code: 'database_unavailable',
      });
    } finally {
      await handle.close();
    }
  });
});

describe('guardDatabase deadline', () => {
  it('answers 503 database_unavailable when an operation outlasts its deadline', async () => {
    const started = Date.now();
    const error = await guardDatabase(() => new Promise<never>(() => {}), 50).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'database_unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not leave an unhandled rejection when the operation fails after the deadline', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const late = () =>
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('late')), 80));
      await expect(guardDatabase(late, 20)).rejects.toMatchObject({ code: 'database_unavailable' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('waits without a deadline when given null', async () => {
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 60));
    await expect(guardDatabase(slow, null)).resolves.toBe('done');
  });
});
