/**
 * A transparent HTTP proxy in front of the Next server that records every exchange: server-side
 * evidence of what the browser really sent (Playwright's page events do not report CORS
 * preflights) and of what the server answered.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { freePort } from './next-server';

export interface Exchange {
  method: string;
  path: string;
  requestHeaders: IncomingHttpHeaders;
  status: number;
  responseHeaders: IncomingHttpHeaders;
}

export interface RecordingProxy {
  /** e.g. http://127.0.0.1:40999 — use it as the API base URL. */
  readonly url: string;
  readonly exchanges: Exchange[];
  clear(): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const exchanges: Exchange[] = [];
  const server = createServer((incoming, outgoing) => {
    const forward = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        exchanges.push({
          method: incoming.method ?? '',
          path: incoming.url ?? '',
          requestHeaders: incoming.headers,
          status: answer.statusCode ?? 0,
          responseHeaders: answer.headers,
        });
        outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', (error) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`proxy error: ${error.message}`);
    });
    incoming.pipe(forward);
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    clear: () => void exchanges.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
