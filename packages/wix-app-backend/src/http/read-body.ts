/**
 * Reads a request body with a hard size limit and a deadline, counting bytes as they stream in,
 * so an oversized, endless or trickling body is refused without being buffered whole or holding
 * the request open.
 */
import { AppError } from '../errors/app-error';

/** How long a whole body may take to arrive; a browser's or Wix's arrives in milliseconds. */
export const BODY_DEADLINE_MS = 10_000;

export interface ReadBodyOptions {
  /** Default BODY_DEADLINE_MS; past it, 408 `request_timeout`. */
  deadlineMs?: number;
}

/** The body's bytes; `payload_too_large` past `maxBytes`, `request_timeout` past the deadline. */
export async function readBodyBytes(
  request: Request,
  maxBytes: number,
  options: ReadBodyOptions = {},
): Promise<Uint8Array> {
  const tooLarge = () =>
    new AppError('payload_too_large', `The body must be at most ${maxBytes} bytes.`);
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array(0);

  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reader.cancel().catch(() => {});
      reject(new AppError('request_timeout', 'The body did not arrive in time.'));
    }, options.deadlineMs ?? BODY_DEADLINE_MS);
  });
  try {
    return await Promise.race([collect(reader, maxBytes, tooLarge), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function collect(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  tooLarge: () => AppError,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      void discardRest(reader);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** How much more of a refused body is read and dropped so its connection can carry the next. */
export const DISCARD_MAX_BYTES = 1024 * 1024;
export const DISCARD_MAX_MS = 5_000;

/**
 * Reads the rest of a refused body and drops it, while the 413 goes out. A client is usually
 * still sending when it is refused; if the server stopped reading, the client could not finish,
 * and the connection could carry no further request. Past DISCARD_MAX_BYTES or DISCARD_MAX_MS the
 * stream is cancelled instead (which ends the connection): a client sending that much more is not
 * one to keep.
 */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const until = Date.now() + DISCARD_MAX_MS;
  let dropped = 0;
  const timer = setTimeout(() => reader.cancel().catch(() => {}), DISCARD_MAX_MS);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      dropped += value.byteLength;
      if (dropped > DISCARD_MAX_BYTES || Date.now() > until) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away, or the stream was cancelled: nothing left to drop.
  } finally {
    clearTimeout(timer);
  }
}

/** The body as UTF-8 text, or null when it is not valid UTF-8. */
export async function readBodyText(
  request: Request,
  maxBytes: number,
  options: ReadBodyOptions = {},
): Promise<string | null> {
  const bytes = await readBodyBytes(request, maxBytes, options);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
