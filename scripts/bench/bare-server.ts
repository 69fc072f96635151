/**
 * The physical ceiling: a bare node:http server doing what the middleware does for GET /api/me
 * with a signed instance — the same CORS policy and instance verifier from lib — and nothing
 * else. Run as its own process by scripts/bench.ts (BENCH_PORT, BENCH_APP_ID, BENCH_APP_SECRET).
 */
import { createServer } from 'node:http';
import { readCredential } from 'wix-app-backend/auth/read-credential';
import { createInstanceVerifier } from 'wix-app-backend/auth/verify-instance';
import { createCors, type CorsDecision } from 'wix-app-backend/cors/create-cors';

const appId = process.env.BENCH_APP_ID ?? '';
const cors = createCors({ appId, allowLocalhost: false });
const verify = createInstanceVerifier({
  secret: process.env.BENCH_APP_SECRET ?? '',
  appId,
  maxAgeSeconds: 86_400,
});

const server = createServer((req, res) => {
  if (req.url === '/ready') return void res.end('ok');
  const origin = req.headers.origin ?? null;
  const decision: CorsDecision =
    origin === null
      ? { kind: 'no-origin' }
      : cors.isOriginAllowed(origin)
        ? { kind: 'allowed', origin }
        : { kind: 'refused', origin };
  if (decision.kind === 'refused') {
    res.writeHead(403, { vary: 'Origin' }).end();
    return;
  }
  const headers = cors.responseHeaders(decision);
  const read = readCredential(new Headers({ authorization: req.headers.authorization ?? '' }));
  if (!read.ok) {
    res.writeHead(401, headers).end();
    return;
  }
  void verify(read.credential).then((result) => {
    if (!result.ok) {
      res.writeHead(401, headers).end();
      return;
    }
    res
      .writeHead(200, { ...headers, 'content-type': 'application/json' })
      .end(JSON.stringify({ instanceId: result.value.instanceId, isOwner: result.value.isOwner }));
  });
});
server.listen(Number(process.env.BENCH_PORT), '127.0.0.1');
