/**
 * The three emulated Wix endpoints (docs/wix-protocol.md, "Access tokens and Token Info" and
 * "Calling Wix as the app").
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseJsonObject, wixError, type Reply } from './http-io';
import { siteIdFor, type InstanceRegistry } from './instances';
import type { RateLimiter } from './rate-limiter';
import { bump, type StatsCounter } from './stats';
import type { TokenStore } from './token-store';

export interface EmulatorContext {
  appId: string;
  appSecret: string;
  tokenTtlSeconds: number;
  tokenInfoStyle: 'typed' | 'strings';
  tokens: TokenStore;
  instances: InstanceRegistry;
  limiter: RateLimiter;
  stats: StatsCounter;
}

export interface EmulatorRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const invalidJson = () => wixError(400, 'INVALID_ARGUMENT', 'Request body must be a JSON object');

/** `POST /oauth2/token`: the client-credentials grant. */
export function createAccessToken(ctx: EmulatorContext, req: EmulatorRequest): Reply {
  const body = parseJsonObject(req.body);
  if (!body) return invalidJson();
  if (body.grant_type !== 'client_credentials') {
    return wixError(400, 'UNSUPPORTED_GRANT_TYPE', 'grant_type must be "client_credentials"');
  }
  const { client_id: clientId, client_secret: clientSecret } = body;
  // Some Wix snippets spell it `instanceId`; the reference and the SDK use `instance_id`.
  const instanceId = body.instance_id ?? body.instanceId;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    return wixError(401, 'INVALID_CLIENT', 'client_id and client_secret are required');
  }
  // Both checks always run, and the secret is compared in constant time.
  const idMatches = clientId.toLowerCase() === ctx.appId.toLowerCase();
  const secretMatches = constantTimeEquals(clientSecret, ctx.appSecret);
  if (!idMatches || !secretMatches) {
    return wixError(401, 'INVALID_CLIENT', 'Invalid client_id or client_secret');
  }
  if (typeof instanceId !== 'string' || instanceId.trim() === '') {
    return wixError(400, 'MISSING_INSTANCE_ID', 'instance_id is required');
  }
  if (ctx.instances.isRemoved(instanceId)) {
    return wixError(403, 'APP_NOT_INSTALLED', `The app is not installed on instance ${instanceId}`);
  }
  const { token } = ctx.tokens.issue({
    kind: 'app',
    instanceId,
    clientId: ctx.appId,
    subjectType: 'APP',
    subjectId: ctx.appId,
    siteId: siteIdFor(instanceId),
    ttlSeconds: ctx.tokenTtlSeconds,
  });
  ctx.stats.counts.tokensMinted++;
  bump(ctx.stats.counts.tokensMintedPerInstance, instanceId);
  return {
    status: 200,
    body: { access_token: token, token_type: 'Bearer', expires_in: ctx.tokenTtlSeconds },
  };
}

/** `POST /oauth2/token-info`: needs no credentials, so any app's token introspects. */
export function tokenInfo(ctx: EmulatorContext, req: EmulatorRequest): Reply {
  ctx.stats.counts.tokenInfoCalls++;
  const body = parseJsonObject(req.body);
  if (!body) return invalidJson();
  if (typeof body.token !== 'string' || body.token.trim() === '') {
    return wixError(400, 'INVALID_ARGUMENT', 'token is required');
  }
  const record = ctx.tokens.lookup(body.token);
  // Wix's own example answers with strings ("true", "1700000000"); clients must accept both.
  const strings = ctx.tokenInfoStyle === 'strings';
  if (!record) return { status: 200, body: { active: strings ? 'false' : false } };
  return {
    status: 200,
    body: {
      active: strings ? 'true' : true,
      subjectType: record.subjectType,
      subjectId: record.subjectId,
      exp: strings ? String(record.exp) : record.exp,
      iat: strings ? String(record.iat) : record.iat,
      clientId: record.clientId,
      siteId: record.siteId,
      ...(record.instanceId === undefined ? {} : { instanceId: record.instanceId }),
    },
  };
}

/** `GET /apps/v1/instance`: Get App Instance, for app (client-credentials) tokens only. */
export function getAppInstance(ctx: EmulatorContext, req: EmulatorRequest): Reply {
  const token = readAuthorization(req.headers.authorization);
  if (!token) return wixError(401, 'UNAUTHENTICATED', 'Missing Authorization header');
  const record = ctx.tokens.lookup(token);
  if (!record || record.instanceId === undefined) {
    return wixError(401, 'UNAUTHENTICATED', 'Invalid, expired or revoked access token');
  }
  if (record.kind !== 'app') {
    return wixError(403, 'PERMISSION_DENIED', 'This API needs an app token, not a user token');
  }
  bump(ctx.stats.counts.apiCallsPerInstance, record.instanceId);
  const rate = ctx.limiter.take(record.instanceId);
  if (!rate.ok) {
    return wixError(429, 'RATE_LIMIT_EXCEEDED', 'Too many requests for this app instance', {
      'retry-after': String(rate.retryAfterSeconds),
    });
  }
  return { status: 200, body: ctx.instances.describe(record.instanceId) };
}

/** The raw token; Wix takes it with or without a `Bearer ` scheme. */
function readAuthorization(header: string | undefined): string | null {
  const value = header?.trim().replace(/^Bearer\s+/i, '') ?? '';
  return value === '' ? null : value;
}

/** Equal-length digests, so neither the content nor the length of the secret leaks by timing. */
function constantTimeEquals(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
