/**
 * How much a token nobody has checked yet looks like a real one — read locally, for free, and
 * never trusted (docs/decisions/034-token-standing.md). It decides only which budget may pay for
 * the token's Token Info call (token-info-guard.ts); whatever the standing, a token is accepted
 * only on Token Info's word.
 *
 * - `known`: a Wix-shaped token that names an instance this process has verified (a signed
 *   instance, or a token Token Info accepted): its site has the app, and a forger would need
 *   that site's instance id.
 * - `plausible`: a Wix-shaped token naming no instance we know — a first visitor of a new site,
 *   or a forgery made to look like one.
 * - `unrecognised`: anything else, garbage included. Still checked, from a small budget of its
 *   own, so a token of a shape Wix may adopt later is slowed down under attack, never refused.
 *
 * Wix-shaped is what a JWS is (RFC 7515 compact form) after Wix's `OauthNG.JWS.` prefix: a
 * header that decodes to a JSON object naming its `alg`, and a payload that decodes to a JSON
 * object. Random bytes fail that almost always; costing a forger a line of code is the point,
 * not stopping one — the `known` standing is what a forger cannot fake.
 */
import { createTtlCache } from '../cache/ttl-cache';
import { decodeBase64url } from '../crypto/base64url';

export type TokenStanding = 'known' | 'plausible' | 'unrecognised';

const WIX_TOKEN = /^OauthNG\.JWS\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/;
/** Instance ids are UUIDs; matched anywhere in the payload, which Wix does not document. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Ids looked up per token: a payload stuffed with ids costs no more than this. */
const MAX_IDS_CHECKED = 8;
/** How long an instance stays known after its last verification, and how many are kept. */
export const KNOWN_INSTANCE_SECONDS = 24 * 60 * 60;
const MAX_KNOWN_INSTANCES = 10_000;

export interface KnownInstances {
  /** An instance id just verified (a signed instance, or Token Info's answer). */
  remember(instanceId: string): void;
  has(instanceId: string): boolean;
}

/** Instances verified lately, in memory: bounded, least recently verified forgotten first. */
export function createKnownInstances(options: { now?: () => number } = {}): KnownInstances {
  const known = createTtlCache<true>({ maxEntries: MAX_KNOWN_INSTANCES, now: options.now });
  return {
    remember: (instanceId) =>
      known.set(instanceId.toLowerCase(), true, KNOWN_INSTANCE_SECONDS * 1000),
    has: (instanceId) => known.get(instanceId.toLowerCase()) !== undefined,
  };
}

/** The standing of `token`; never throws, whatever it holds. */
export function tokenStanding(token: string, known: KnownInstances): TokenStanding {
  const parts = WIX_TOKEN.exec(token);
  if (!parts) return 'unrecognised';
  const header = decodeJsonObject(parts[1]!);
  const payload = header && typeof header.value.alg === 'string' && decodeJsonObject(parts[2]!);
  if (!payload) return 'unrecognised';
  const ids = payload.text.match(UUID) ?? [];
  for (const id of ids.slice(0, MAX_IDS_CHECKED)) if (known.has(id)) return 'known';
  return 'plausible';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJsonObject(part: string): { text: string; value: Record<string, unknown> } | null {
  const bytes = decodeBase64url(part);
  if (!bytes) return null;
  try {
    const text = utf8.decode(bytes);
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { text, value: value as Record<string, unknown> }
      : null;
  } catch {
    return null;
  }
}
