/** Small HTTP tools for the reliability suite: raw socket requests and a signed test instance. */
import { connect } from 'node:net';
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { TEST_APP_ID, TEST_APP_SECRET } from 'wix-app-backend/testing/test-credentials';

export const SECRETS = { WIX_APP_ID: TEST_APP_ID, WIX_APP_SECRET: TEST_APP_SECRET };

/** An owner's instance for the test app, signed now with `secret`. */
export function ownerInstance(instanceId: string, secret: string = TEST_APP_SECRET) {
  return signInstance(
    {
      instanceId,
      appDefId: TEST_APP_ID,
      uid: `user-${instanceId.slice(0, 8)}`,
      permissions: 'OWNER',
    },
    secret,
  );
}

export interface RawAnswer {
  /** 0 when the server closed the connection without a status line. */
  status: number;
  text: string;
  ms: number;
}

/**
 * Writes `bytes` to a fresh TCP connection and reads until the server closes it or `timeoutMs`
 * passes. For what fetch refuses to send: invalid UTF-8 in headers, oversized headers, broken
 * framing. Send `Connection: close` so the server ends the exchange.
 */
export function rawRequest(port: number, bytes: Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, text, ms: performance.now() - started });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while we are still writing a huge request: that is an answer too.
    socket.on('error', () => {
      socket.destroy();
      finish();
    });
    socket.on('close', finish);
    socket.on('connect', () => socket.end(bytes));
  });
}

/** A request as raw bytes; header values may be any bytes. */
export function rawHttp(
  method: string,
  path: string,
  headers: Array<[string, string | Buffer]>,
  body?: Buffer,
): Buffer {
  const parts: Buffer[] = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`)];
  for (const [name, value] of headers) {
    parts.push(Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n'));
  }
  if (body) parts.push(Buffer.from(`Content-Length: ${body.length}\r\n`));
  parts.push(Buffer.from('Connection: close\r\n\r\n'));
  if (body) parts.push(body);
  return Buffer.concat(parts);
}
