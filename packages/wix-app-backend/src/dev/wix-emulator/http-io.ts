/** Reading bounded request bodies and writing Wix-shaped JSON answers on node:http. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler answers; the server adds `x-wix-request-id` and the JSON headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Wix's standard error body (docs/wix-protocol.md, "Calling Wix as the app"). */
export function wixError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Reply {
  return {
    status,
    body: { message, details: { applicationError: { code, description: message } } },
    headers,
  };
}

export const MAX_BODY_BYTES = 64 * 1024;
/** Past this much a client is not sending a mistake but a stream: drop it instead of draining. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;

export type BodyResult =
  { ok: true; text: string } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads the whole body up to `MAX_BODY_BYTES`. An oversized body is drained (so the client can
 * read the 413 instead of a reset connection) up to `MAX_DRAIN_BYTES`, then the socket is cut.
 */
export function readBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) req.socket.destroy();
      else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        size > MAX_BODY_BYTES
          ? { ok: false, reason: 'too-large' }
          : { ok: true, text: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    // After 'end' this is a no-op: a promise settles once.
    req.on('close', () => resolve({ ok: false, reason: 'aborted' }));
    req.on('error', () => resolve({ ok: false, reason: 'aborted' }));
  });
}

/** The body as a JSON object, or null for anything else (arrays, scalars, invalid JSON). */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Shaped like Wix's request ids (`<unix seconds>.<digits>`); unique enough to grep a log for. */
export function newRequestId(nowMs: number): string {
  const digits = randomBytes(8).readBigUInt64BE().toString().padStart(20, '0');
  return `${Math.floor(nowMs / 1000)}.${digits}`;
}

/** The path without the query string; `req.url` is not parsed as a URL (`//x` is not a host). */
export function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?', 1)[0] || '/';
}
