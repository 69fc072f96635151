import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error';
import { encodeCursor, readPageRequest, toPage } from '../../src/http/pagination';

const request = (query = '') => new Request(`http://localhost/api/things${query}`);

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('readPageRequest', () => {
  it('defaults to the first page of 20', () => {
    expect(readPageRequest(request())).toEqual({ limit: 20, after: null });
  });

  it('reads a limit within bounds and the defaults given', () => {
    expect(readPageRequest(request('?limit=1')).limit).toBe(1);
    expect(readPageRequest(request('?limit=100')).limit).toBe(100);
    expect(readPageRequest(request(), { defaultLimit: 5, maxLimit: 10 }).limit).toBe(5);
  });

  it.each(['0', '101', 'abc', '-1', '1.5', '', '1e2', '00000000001'])(
    'refuses limit=%s with invalid_request',
    (limit) => {
      expect(refusal(() => readPageRequest(request(`?limit=${limit}`))).code).toBe(
        'invalid_request',
      );
    },
  );

  it('reads back a cursor it handed out', () => {
    const at = new Date('2026-11-28T10:00:00.123Z');
    const cursor = encodeCursor({ createdAt: at, id: 'abc' });
    expect(readPageRequest(request(`?cursor=${cursor}`)).after).toEqual({
      createdAt: at,
      id: 'abc',
    });
  });

  it.each([
    ['garbage', 'not-base64!'],
    ['base64 of not-JSON', Buffer.from('hello').toString('base64url')],
    ['the wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","x"]').toString('base64url')],
    ['an empty id', Buffer.from('["2026-11-28T10:00:00Z",""]').toString('base64url')],
    ['a NUL in the id', Buffer.from('["2026-11-28T10:00:00Z","a\\u0000b"]').toString('base64url')],
    ['a huge cursor', 'A'.repeat(600)],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x5b]).toString('base64url')],
  ])('refuses a cursor that is %s with invalid_request', (_, cursor) => {
    const error = refusal(() => readPageRequest(request(`?cursor=${cursor}`)));
    expect(error.code).toBe('invalid_request');
    expect(error.detail).toMatch(/cursor/);
  });
});

describe('toPage', () => {
  const rows = Array.from({ length: 4 }, (_, i) => ({
    id: `id-${i}`,
    createdAt: new Date(Date.UTC(2026, 0, 10 - i)),
  }));

  it('keeps limit items and points at the last one when more exist', () => {
    const page = toPage(rows, 3);
    expect(page.items).toEqual(rows.slice(0, 3));
    expect(page.nextCursor).toBe(encodeCursor(rows[2]!));
  });

  it('has no next cursor on the last page', () => {
    expect(toPage(rows, 4).nextCursor).toBeNull();
    expect(toPage([], 4)).toEqual({ items: [], nextCursor: null });
  });
});
