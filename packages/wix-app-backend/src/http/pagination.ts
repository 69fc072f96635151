/**
 * Cursor pagination for list routes: `?limit=<n>&cursor=<opaque>`. The cursor names the last item
 * of the previous page by its sort key (creation time, then id; src/db/page.ts), so pages stay
 * stable while items are added or deleted — unlike offsets. It is opaque to clients (base64url
 * JSON) and validated like any input: a bad one is 400 `invalid_request`, never a 500.
 */
import { decodeBase64url, encodeBase64url } from '../crypto/base64url';
import type { PageCursor, PageRequest } from '../db/page';
import { AppError } from '../errors/app-error';
import { isStorableText } from '../validation/storable-text';

export type { PageCursor, PageRequest };

/** Reads `limit` (1…maxLimit, default `defaultLimit`) and `cursor` from the request URL. */
export function readPageRequest(
  request: Request,
  options: { defaultLimit?: number; maxLimit?: number } = {},
): PageRequest {
  const params = new URL(request.url).searchParams;
  const maxLimit = options.maxLimit ?? 100;
  const limitText = params.get('limit');
  let limit = options.defaultLimit ?? 20;
  if (limitText !== null) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= maxLimit)) {
      throw new AppError('invalid_request', `limit must be a whole number from 1 to ${maxLimit}.`);
    }
  }
  const cursorText = params.get('cursor');
  return { limit, after: cursorText === null ? null : decodeCursor(cursorText) };
}

/** The cursor for the page after `last` (the last item of this page). */
export function encodeCursor(last: PageCursor): string {
  return encodeBase64url(
    new TextEncoder().encode(JSON.stringify([last.createdAt.toISOString(), last.id])),
  );
}

function decodeCursor(text: string): PageCursor {
  const invalid = () => new AppError('invalid_request', 'cursor is not one this API handed out.');
  const bytes = text.length <= 512 ? decodeBase64url(text) : null;
  if (!bytes) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid();
  const [at, id] = value as unknown[];
  const createdAt = typeof at === 'string' ? new Date(at) : null;
  if (!createdAt || Number.isNaN(createdAt.getTime())) throw invalid();
  if (typeof id !== 'string' || id.length === 0 || id.length > 200 || !isStorableText(id)) {
    throw invalid();
  }
  return { createdAt, id };
}

/**
 * One page: `items` (at most `limit`) and the cursor for the next page, or null at the end.
 * Pass `limit + 1` rows from the query: the extra one only says whether more exist.
 */
export function toPage<T extends PageCursor>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
