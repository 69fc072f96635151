import { describe, expect, it, vi } from 'vitest';

/**
 * Next compiles lib/ into several bundles, each with its own copy of problem.ts, and shares
 * objects (the database store) between them. A fresh module registry stands in for a second
 * bundle here.
 */
async function secondCopy() {
  vi.resetModules();
  return import('@/lib/http/problem');
}

describe('toProblemResponse across bundle copies of HttpError', () => {
  it('maps an HttpError thrown by another copy of the module to its own status and code', async () => {
    const first = await import('@/lib/http/problem');
    const second = await secondCopy();
    expect(second.HttpError).not.toBe(first.HttpError);
    const thrown = new second.HttpError('database_unavailable', 'down', { 'retry-after': '5' });
    expect(thrown instanceof first.HttpError).toBe(false);

    const response = first.toProblemResponse(thrown);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ code: 'database_unavailable' });
  });

  it('still treats a plain Error as unknown (500, cause logged only)', async () => {
    const { toProblemResponse } = await import('@/lib/http/problem');
    const logged: string[] = [];
    const response = toProblemResponse(new Error('kaboom'), (line) => logged.push(line));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('kaboom');
    expect(logged.join('\n')).toContain('kaboom');
  });

  it('does not take an object that merely looks like an HttpError for one', async () => {
    const { toProblemResponse } = await import('@/lib/http/problem');
    const impostor = { name: 'HttpError', code: 'not_found', message: 'x' };
    const response = toProblemResponse(impostor, () => {});
    expect(response.status).toBe(500);
  });
});
