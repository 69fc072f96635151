import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createKnownInstances,
  KNOWN_INSTANCE_SECONDS,
  tokenStanding,
} from '../../src/auth/token-standing';
import { createClock } from '../wix/wix-harness';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const random = (bytes: number) => randomBytes(bytes).toString('base64url');
const wixShaped = (payload: unknown, header: unknown = { kid: 'k1', alg: 'RS256' }) =>
  `OauthNG.JWS.${b64(header)}.${b64(payload)}.${random(32)}`;

describe('tokenStanding', () => {
  const none = createKnownInstances();

  it('calls a JWS after Wix’s prefix, naming an instance nobody verified, plausible', () => {
    expect(tokenStanding(wixShaped({ data: { instanceId: randomUUID() } }), none)).toBe(
      'plausible',
    );
  });

  it('finds the instance wherever the payload names it, a JSON string inside included', () => {
    const known = createKnownInstances();
    const instanceId = randomUUID();
    known.remember(instanceId);
    const nested = { data: JSON.stringify({ instance: { instanceId } }), iat: 1, exp: 2 };
    expect(tokenStanding(wixShaped(nested), known)).toBe('known');
    expect(tokenStanding(wixShaped({ sub: instanceId.toUpperCase() }), known)).toBe('known');
  });

  it('is not fooled by a payload stuffed with ids: it looks at the first eight', () => {
    const known = createKnownInstances();
    const instanceId = randomUUID();
    known.remember(instanceId);
    const ids = [...Array.from({ length: 8 }, () => randomUUID()), instanceId];
    expect(tokenStanding(wixShaped({ ids }), known)).toBe('plausible');
  });

  it.each([
    ['random bytes after the prefix', `OauthNG.JWS.${random(24)}.${random(48)}.${random(32)}`],
    ['no prefix', `${b64({ alg: 'RS256' })}.${b64({ a: 1 })}.${random(32)}`],
    ['a header without alg', wixShaped({ a: 1 }, { kid: 'k1' })],
    ['a header that is not an object', wixShaped({ a: 1 }, ['alg'])],
    ['a payload that is not an object', wixShaped('instance')],
    ['a payload that is not JSON', `OauthNG.JWS.${b64({ alg: 'RS256' })}.${random(40)}.x`],
    ['too few parts', `OauthNG.JWS.${b64({ alg: 'RS256' })}.${b64({ a: 1 })}`],
    ['padding', `OauthNG.JWS.${b64({ alg: 'RS256' })}=.${b64({ a: 1 })}.x`],
    ['bytes that are not UTF-8', `OauthNG.JWS.${b64({ alg: 'RS256' })}._w.x`],
  ])('calls %s unrecognised', (_, token) => {
    expect(tokenStanding(token, none)).toBe('unrecognised');
  });

  it('never calls an unrecognised token known, whatever instance it names', () => {
    const known = createKnownInstances();
    const instanceId = randomUUID();
    known.remember(instanceId);
    expect(tokenStanding(`OauthNG.JWS.${instanceId}.${instanceId}.x`, known)).toBe('unrecognised');
  });
});

describe('createKnownInstances', () => {
  it(`forgets an instance KNOWN_INSTANCE_SECONDS (${KNOWN_INSTANCE_SECONDS} s) after its last verification`, () => {
    const clock = createClock();
    const known = createKnownInstances({ now: clock.now });
    const instanceId = randomUUID();
    known.remember(instanceId);
    clock.advance(KNOWN_INSTANCE_SECONDS * 1000 - 1);
    expect(known.has(instanceId)).toBe(true);
    known.remember(instanceId);
    clock.advance(KNOWN_INSTANCE_SECONDS * 1000 - 1);
    expect(known.has(instanceId)).toBe(true);
    clock.advance(1);
    expect(known.has(instanceId)).toBe(false);
  });

  it('keeps at most ten thousand, the least recently verified forgotten first', () => {
    const known = createKnownInstances();
    known.remember('first');
    for (let i = 0; i < 10_000; i++) known.remember(`instance-${i}`);
    expect(known.has('first')).toBe(false);
    expect(known.has('instance-0')).toBe(true);
  });
});
