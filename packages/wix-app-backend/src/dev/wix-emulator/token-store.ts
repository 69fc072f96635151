/**
 * The emulator's access tokens. Like Wix's, they are opaque to the app (`OauthNG.JWS.…`, with no
 * published key), so the only truth is this map: Token Info and Get App Instance look tokens up
 * here, and anything not in it — a forged token, a signed app instance — is unknown.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SubjectType } from './types';

export interface TokenRecord {
  kind: 'app' | 'widget';
  /** Absent only for widget tokens issued with `omitInstanceId`. */
  instanceId?: string;
  /** The app that created the token (Token Info `clientId`). */
  clientId: string;
  subjectType: SubjectType;
  subjectId: string;
  siteId: string;
  /** Unix seconds, as Token Info reports them. */
  iat: number;
  exp: number;
  active: boolean;
}

export interface NewToken {
  kind: TokenRecord['kind'];
  instanceId?: string;
  clientId: string;
  subjectType: SubjectType;
  subjectId?: string;
  siteId: string;
  ttlSeconds: number;
  active?: boolean;
}

export interface TokenStore {
  issue(token: NewToken): { token: string; record: TokenRecord };
  /** The record of a known, active, unexpired token; null for anything else. */
  lookup(token: string): TokenRecord | null;
  revoke(token: string): boolean;
  /** Revokes every token of an instance (the app was removed from the site). */
  revokeInstance(instanceId: string): void;
}

/** Expired tokens are swept once the map grows past this, so a long `npm run dev` stays small. */
const SWEEP_THRESHOLD = 10_000;

export function createTokenStore(now: () => number): TokenStore {
  const tokens = new Map<string, TokenRecord>();
  const nowSeconds = () => Math.floor(now() / 1000);
  const live = (record: TokenRecord) => record.active && nowSeconds() < record.exp;

  const sweep = () => {
    for (const [token, record] of tokens) if (nowSeconds() >= record.exp) tokens.delete(token);
  };

  return {
    issue(input) {
      if (tokens.size >= SWEEP_THRESHOLD) sweep();
      const iat = nowSeconds();
      const record: TokenRecord = {
        kind: input.kind,
        instanceId: input.instanceId,
        clientId: input.clientId,
        subjectType: input.subjectType,
        subjectId: input.subjectId ?? randomUUID(),
        siteId: input.siteId,
        iat,
        exp: iat + input.ttlSeconds,
        active: input.active ?? true,
      };
      const token = formatToken(record);
      tokens.set(token, record);
      return { token, record };
    },
    lookup(token) {
      const record = tokens.get(token);
      return record && live(record) ? record : null;
    },
    revoke: (token) => tokens.delete(token),
    revokeInstance(instanceId) {
      for (const [token, record] of tokens) {
        if (record.instanceId === instanceId) tokens.delete(token);
      }
    },
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Shaped like Wix's tokens: `OauthNG.JWS.<header>.<payload>.<signature>`. The "signature" is 32
 * random bytes, which is what makes a token unguessable; the payload is decoration, never trusted.
 */
function formatToken(record: TokenRecord): string {
  const header = b64({ kid: 'wix-emulator', alg: 'RS256' });
  const payload = b64({
    data: { instanceId: record.instanceId, clientId: record.clientId, kind: record.kind },
    iat: record.iat,
    exp: record.exp,
  });
  return `OauthNG.JWS.${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}
