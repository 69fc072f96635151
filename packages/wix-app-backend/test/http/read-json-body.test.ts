import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/errors/app-error';
import { DISCARD_MAX_BYTES } from '../../src/http/read-body';
import { readJsonBody } from '../../src/http/read-json-body';
import { BASE } from '../../src/testing/requests';

const LIMIT = 1024;
const JSON_TYPE = { 'content-type': 'application/json' };

function put(body: BodyInit | null, headers: Record<string, string> = JSON_TYPE): Request {
  return new Request(`${BASE}/api/settings`, { method: 'PUT', headers, body });
}

/** A body that streams `chunk` forever (or `limit` times), counting what was pulled. */
function endlessStream(chunk: Uint8Array, limit = Infinity) {
  const state = { pulledBytes: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulledBytes / chunk.byteLength >= limit) return controller.close();
      state.pulledBytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function streamed(
  stream: ReadableStream<Uint8Array>,
  headers: Record<string, string> = JSON_TYPE,
): Request {
  return new Request(`${BASE}/api/settings`, {
    method: 'PUT',
    headers,
    body: stream,
    duplex: 'half',
  } as RequestInit);
}

async function failure(request: Request, maxBytes = LIMIT): Promise<AppError> {
  const error = await readJsonBody(request, maxBytes).catch((e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

/** A JSON string literal of exactly `bytes` bytes. */
const jsonOfSize = (bytes: number) => JSON.stringify('a'.repeat(bytes - 2));

describe('readJsonBody', () => {
  it('parses a valid JSON body', async () => {
    const value = { greeting: 'hi', nested: { list: [1, true, null] } };
    expect(await readJsonBody(put(JSON.stringify(value)), LIMIT)).toEqual(value);
  });

  it('parses multi-byte UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('{"greeting":"Grüß 👋"}');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    expect(await readJsonBody(streamed(stream), LIMIT)).toEqual({ greeting: 'Grüß 👋' });
  });

  it.each([
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json;charset=UTF-8',
    'application/merge-patch+json',
  ])('accepts Content-Type %s', async (type) => {
    expect(await readJsonBody(put('{"a":1}', { 'content-type': type }), LIMIT)).toEqual({ a: 1 });
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['a look-alike type', 'application/jsonp'],
    ['JSON as a parameter only', 'text/plain; type=application/json'],
  ])('refuses %s with unsupported_media_type', async (_label, type) => {
    const error = await failure(put('{"a":1}', { 'content-type': type }));
    expect(error.code).toBe('unsupported_media_type');
  });

  it('refuses a body without Content-Type with unsupported_media_type', async () => {
    // A Blob without a type keeps the Request from inferring text/plain.
    const request = put(new Blob(['{"a":1}']), {});
    expect(request.headers.get('content-type')).toBeNull();
    const error = await failure(request);
    expect(error.code).toBe('unsupported_media_type');
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const { stream, state } = endlessStream(new Uint8Array(64).fill(0x20));
    const request = streamed(stream, { ...JSON_TYPE, 'content-length': String(LIMIT + 1) });
    const error = await failure(request);
    expect(error.code).toBe('payload_too_large');
    expect(error.detail).toContain(String(LIMIT));
    expect(request.bodyUsed).toBe(false);
    expect(state.pulledBytes).toBeLessThanOrEqual(64); // at most the stream's own first pull
  });

  it('refuses an endless streamed body without Content-Length once it passes the limit', async () => {
    const chunk = new Uint8Array(100).fill(0x20);
    const { stream, state } = endlessStream(chunk);
    const error = await failure(streamed(stream));
    expect(error.code).toBe('payload_too_large');
    // Refused as soon as it passed the limit (the stream never ends); the rest is then read and
    // dropped (so a connection could carry the next request), up to DISCARD_MAX_BYTES: past that
    // the stream is cancelled.
    await vi.waitFor(() => expect(state.cancelled).toBe(true), { timeout: 5_000 });
    expect(state.pulledBytes).toBeLessThan(LIMIT + DISCARD_MAX_BYTES + 4 * chunk.byteLength);
  });

  it('reads a refused finite body to its end and drops it, without cancelling', async () => {
    const { stream, state } = endlessStream(new Uint8Array(100).fill(0x20), 50); // 5,000 bytes
    expect((await failure(streamed(stream))).code).toBe('payload_too_large');
    await vi.waitFor(() => expect(state.pulledBytes).toBe(5_000));
    expect(state.cancelled).toBe(false);
  });

  it('refuses a streamed body whose Content-Length understates its size', async () => {
    const { stream } = endlessStream(new Uint8Array(100).fill(0x20), 20);
    const error = await failure(streamed(stream, { ...JSON_TYPE, 'content-length': '10' }));
    expect(error.code).toBe('payload_too_large');
  });

  it('accepts a body of exactly the limit and refuses one byte more', async () => {
    expect(await readJsonBody(put(jsonOfSize(LIMIT)), LIMIT)).toHaveLength(LIMIT - 2);
    expect((await failure(put(jsonOfSize(LIMIT + 1)))).code).toBe('payload_too_large');
  });

  it('refuses invalid JSON with invalid_json', async () => {
    expect((await failure(put('{"greeting":'))).code).toBe('invalid_json');
  });

  it('refuses invalid UTF-8 with invalid_json', async () => {
    // 0xff never occurs in UTF-8; a lenient decoder would turn it into U+FFFD and accept it.
    const bytes = Uint8Array.of(0x22, 0x61, 0xff, 0x62, 0x22);
    expect((await failure(put(bytes))).code).toBe('invalid_json');
  });

  it('refuses an empty body with invalid_json', async () => {
    expect((await failure(put(''))).code).toBe('invalid_json');
  });

  it('refuses a request without a body with invalid_json', async () => {
    expect((await failure(put(null))).code).toBe('invalid_json');
  });
});
