/**
 * HTTPS for browser tests of the real production origin, https://<app-id>.wix.run: a throwaway
 * self-signed certificate made with openssl at test time, and a TLS-terminating reverse proxy
 * (node:https) that forwards every request unchanged to a plain-HTTP server on loopback. Put it in
 * front of a static origin (helpers/static-origin.ts) to serve its page over HTTPS, or in front
 * of `next start` to reach the API over HTTPS.
 *
 * Chromium must be told to trust it for that one test: `--ignore-certificate-errors`, and
 * `--host-resolver-rules=MAP *.wix.run 127.0.0.1` so the wix.run name reaches this proxy.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './next-server';

const run = promisify(execFile);

export interface Certificate {
  key: string;
  cert: string;
}

/** A self-signed certificate for `hostname`, valid one day. Nothing is left on disk. */
export async function makeSelfSignedCertificate(hostname: string): Promise<Certificate> {
  const dir = await mkdtemp(path.join(tmpdir(), 'e2e-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${hostname}`,
        '-addext',
        `subjectAltName=DNS:${hostname}`,
        '-days',
        '1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { timeout: 20_000 },
    );
    const [key, cert] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
    return { key, cert };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface HttpsProxy {
  /** The port it listens on (on 127.0.0.1). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens with TLS on 127.0.0.1:`port` (a free port when omitted) and forwards every request,
 * headers included, to the plain-HTTP `target` (e.g. http://127.0.0.1:40123).
 */
export async function startHttpsProxy(options: {
  target: string;
  certificate: Certificate;
  port?: number;
}): Promise<HttpsProxy> {
  const upstream = new URL(options.target);
  const server: Server = createServer(options.certificate, (incoming, outgoing) => {
    const forward = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
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
  const port = options.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
