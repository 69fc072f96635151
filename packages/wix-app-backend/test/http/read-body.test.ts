import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/errors/app-error';
import { toProblemResponse } from '../../src/http/problem';
import { BODY_DEADLINE_MS, readBodyBytes, readBodyText } from '../../src/http/read-body';
import { BASE } from '../../src/testing/requests';

const LIMIT = 1024;

/**
 * A body that sends its first byte at once and then nothing, ever, without closing: a client
 * holding the request open. Counts reads and records whether the reader gave up on it.
 */
function tricklingBody() {
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(Uint8Array.of(0x7b)); // "{"
    },
    pull() {
      state.pulls++;
      return new Promise<void>(() => {}); // the next byte never comes
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

/** A body that arrives in `chunks`, `gapMs` apart, then ends. */
function slowBody(chunks: string[], gapMs: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next === chunks.length) return controller.close();
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      controller.enqueue(encoder.encode(chunks[next++]));
    },
  });
}

function put(body: ReadableStream<Uint8Array> | string): Request {
  return new Request(`${BASE}/api/settings`, {
    method: 'PUT',
    body,
    duplex: 'half',
  } as RequestInit);
}

async function failure(run: Promise<unknown>): Promise<AppError> {
  const error = await run.then(
    () => {
      throw new Error('expected the read to fail');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('readBodyBytes: the deadline', () => {
  it('refuses a body that stops arriving with request_timeout (408) once deadlineMs has passed', async () => {
    const { stream, state } = tricklingBody();
    const started = performance.now();
    const error = await failure(readBodyBytes(put(stream), LIMIT, { deadlineMs: 150 }));
    const elapsed = performance.now() - started;
    expect(error.code).toBe('request_timeout');
    expect(toProblemResponse(error).status).toBe(408);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2_000);
    expect(state.pulls).toBeGreaterThan(0);
  });

  it('cancels the reader when it gives up, so the rest of the body is not waited for', async () => {
    const { stream, state } = tricklingBody();
    await failure(readBodyBytes(put(stream), LIMIT, { deadlineMs: 50 }));
    expect(state.cancelled).toBe(true);
  });

  it('reads a body that arrives in pieces within the deadline whole', async () => {
    const chunks = ['{"greeting":', '"Grüß', ' dich"', '}'];
    const bytes = await readBodyBytes(put(slowBody(chunks, 20)), LIMIT, { deadlineMs: 2_000 });
    expect(new TextDecoder().decode(bytes)).toBe('{"greeting":"Grüß dich"}');
  });

  it(`waits BODY_DEADLINE_MS (${BODY_DEADLINE_MS} ms) by default, and not a moment less`, async () => {
    vi.useFakeTimers();
    const { stream, state } = tricklingBody();
    let settled: unknown = 'pending';
    const reading = readBodyBytes(put(stream), LIMIT).then(
      () => 'read',
      (error: unknown) => error,
    );
    void reading.then((outcome) => (settled = outcome));
    await vi.advanceTimersByTimeAsync(BODY_DEADLINE_MS - 1);
    expect(settled).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(await reading).toMatchObject({ code: 'request_timeout' });
    expect(state.cancelled).toBe(true);
  });

  it('leaves no timer behind once a body has been read', async () => {
    vi.useFakeTimers();
    await readBodyBytes(put('{"a":1}'), LIMIT);
    expect(vi.getTimerCount()).toBe(0);
    await failure(readBodyBytes(put('x'.repeat(LIMIT + 1)), LIMIT));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still refuses a body over the limit with payload_too_large before the deadline', async () => {
    const big = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(256));
      },
    });
    const error = await failure(readBodyBytes(put(big), LIMIT, { deadlineMs: 5_000 }));
    expect(error.code).toBe('payload_too_large');
  });
});

describe('readBodyText: the deadline', () => {
  it('passes the deadline on: a body that stops arriving is request_timeout', async () => {
    const { stream } = tricklingBody();
    const started = performance.now();
    const error = await failure(readBodyText(put(stream), LIMIT, { deadlineMs: 50 }));
    expect(error.code).toBe('request_timeout');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('reads a body within the deadline as text', async () => {
    expect(await readBodyText(put(slowBody(['ab', 'cd'], 10)), LIMIT, { deadlineMs: 2_000 })).toBe(
      'abcd',
    );
  });
});
