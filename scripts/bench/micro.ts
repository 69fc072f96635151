/**
 * The instance verifier against the least a verifier must do: a bare node:crypto HMAC of the
 * data part plus timingSafeEqual, over the same signed instance; and against that plus decoding
 * and parsing the payload and its date, the least any verifier that reads the instance does.
 * Rounds alternate so a frequency change or GC pause hits all three; the best round of each is
 * reported.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { createInstanceVerifier } from 'wix-app-backend/auth/verify-instance';

export interface MicroResult {
  verifierUs: number;
  bareUs: number;
  bareParseUs: number;
}

async function timePerCall(fn: () => Promise<unknown> | unknown, ms: number): Promise<number> {
  let calls = 0;
  const started = process.hrtime.bigint();
  const limit = started + BigInt(ms) * 1_000_000n;
  let now = started;
  while (now < limit) {
    for (let i = 0; i < 200; i++) await fn();
    calls += 200;
    now = process.hrtime.bigint();
  }
  return Number(now - started) / 1000 / calls;
}

export async function verifierMicrobench(
  instance: string,
  secret: string,
  appId: string,
): Promise<MicroResult> {
  const verify = createInstanceVerifier({
    secret,
    appId,
    maxAgeSeconds: 86_400,
    backend: 'node:crypto',
  });
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const bare = () => {
    const dot = instance.indexOf('.');
    const mac = Buffer.from(instance.slice(0, dot), 'base64url');
    const expected = createHmac('sha256', key)
      .update(instance.slice(dot + 1), 'utf8')
      .digest();
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const bareParse = () => {
    if (!bare()) return null;
    const payload = JSON.parse(
      decoder.decode(Buffer.from(instance.slice(instance.indexOf('.') + 1), 'base64url')),
    ) as { instanceId: string; signDate: string };
    return { instanceId: payload.instanceId, signedAt: new Date(Date.parse(payload.signDate)) };
  };
  if (!(await verify(instance)).ok || !bare()) throw new Error('microbench input does not verify');
  let verifierUs = Infinity;
  let bareUs = Infinity;
  let bareParseUs = Infinity;
  for (let round = 0; round < 5; round++) {
    verifierUs = Math.min(verifierUs, await timePerCall(() => verify(instance), 300));
    // The bare checks are awaited too, so all pay the same per-call promise cost.
    bareUs = Math.min(bareUs, await timePerCall(async () => bare(), 300));
    bareParseUs = Math.min(bareParseUs, await timePerCall(async () => bareParse(), 300));
  }
  return { verifierUs, bareUs, bareParseUs };
}
