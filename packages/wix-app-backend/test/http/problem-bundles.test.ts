import { describe, expect, it, vi } from 'vitest';

/**
 * Next compiles lib/ into several bundles, each with its own copy of app-error.ts, and shares
 * objects (the database and its stores) between them: an error thrown by one copy reaches a
 * mapper from another. A fresh module registry stands in for a second bundle here.
 */
async function secondCopy() {
  vi.resetModules();
  const [appError, wixApiError, dbErrors] = await Promise.all([
    import('../../src/errors/app-error'),
    import('../../src/wix/wix-api-error'),
    import('../../src/db/errors'),
  ]);
  return { ...appError, ...wixApiError, ...dbErrors };
}

describe('toProblemResponse across bundle copies of AppError', () => {
  it('maps an AppError thrown by another copy of the module to its own status and code', async () => {
    const first = await import('../../src/errors/app-error');
    const { toProblemResponse } = await import('../../src/http/problem');
    const second = await secondCopy();
    expect(second.AppError).not.toBe(first.AppError);
    const thrown = new second.AppError('version_conflict', 'reload', { currentVersion: 3 });
    expect(thrown instanceof first.AppError).toBe(false);
    expect(first.isAppError(thrown)).toBe(true);

    const response = toProblemResponse(thrown);
    expect(response.status).toBe(412);
    expect(response.headers.get('etag')).toBe('"3"');
    expect(await response.json()).toMatchObject({ code: 'version_conflict', detail: 'reload' });
  });

  it('maps a DatabaseUnavailableError from another copy to 503 with Retry-After', async () => {
    const { toProblemResponse } = await import('../../src/http/problem');
    const first = await import('../../src/db/errors');
    const second = await secondCopy();
    const thrown = new second.DatabaseUnavailableError();
    expect(thrown instanceof first.DatabaseUnavailableError).toBe(false);

    const response = toProblemResponse(thrown);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe(String(first.DATABASE_RETRY_AFTER_SECONDS));
    expect(await response.json()).toMatchObject({ code: 'database_unavailable' });
  });

  it('maps a WixApiError from another copy, and still knows it for a Wix error', async () => {
    const { toProblemResponse } = await import('../../src/http/problem');
    const first = await import('../../src/wix/wix-api-error');
    const second = await secondCopy();
    const thrown = new second.WixApiError('http', { status: 429, retryAfterSeconds: 9 });
    expect(thrown instanceof first.WixApiError).toBe(false);
    expect(first.isWixApiError(thrown)).toBe(true);

    const response = toProblemResponse(thrown);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('9');
    expect(await response.json()).toMatchObject({ code: 'wix_rate_limited' });
  });

  it('still treats a plain Error as unknown (500, cause logged only)', async () => {
    const { toProblemResponse } = await import('../../src/http/problem');
    const logged: string[] = [];
    const response = toProblemResponse(new Error('kaboom'), {
      log: (line) => logged.push(line),
    });
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('kaboom');
    expect(logged.join('\n')).toContain('kaboom');
  });

  it('does not take an object that merely looks like an AppError for one', async () => {
    const { toProblemResponse } = await import('../../src/http/problem');
    const { isAppError } = await import('../../src/errors/app-error');
    const impostor = { name: 'AppError', code: 'not_found', message: 'x' };
    expect(isAppError(impostor)).toBe(false);
    const response = toProblemResponse(impostor, { log: () => {} });
    expect(response.status).toBe(500);
  });

  it('does not take a plain Error for a Wix error', async () => {
    const { isWixApiError } = await import('../../src/wix/wix-api-error');
    expect(isWixApiError(Object.assign(new Error('x'), { kind: 'http', status: 500 }))).toBe(false);
    expect(isWixApiError(null)).toBe(false);
  });
});
