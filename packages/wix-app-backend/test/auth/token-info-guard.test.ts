import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  createTokenInfoGuard,
  TOKEN_INFO_OVERALL_BURST,
  TOKEN_INFO_UNRECOGNISED_BURST,
  UNATTRIBUTED,
  type Admission,
} from '../../src/auth/token-info-guard';
import type { TokenStanding } from '../../src/auth/token-standing';
import { TOKEN_INFO_BREAKER_SECONDS } from '../../src/wix/timeouts';
import { testRequest } from '../../src/testing';
import { createClock, type Clock } from '../wix/wix-harness';

const SECOND = 1_000;
/** A rate that never refills within a test: a budget of exactly its burst. */
const NEVER = 1e-9;
const PLENTY = { burst: 1e6, perMinute: 1e9 };

function guardWith(
  clock: Clock,
  options: {
    perClient?: { burst: number; perMinute: number };
    overall?: { burst: number; perMinute: number };
    unrecognised?: { burst: number; perMinute: number };
    breakerSeconds?: number;
  },
) {
  return createTokenInfoGuard({
    now: clock.now,
    perClient: PLENTY,
    overall: PLENTY,
    unrecognised: PLENTY,
    ...options,
  });
}

/** How many of `count` admissions of `client` in a row are granted. */
function admitted(guard: ReturnType<typeof createTokenInfoGuard>, client: string, count: number) {
  let granted = 0;
  for (let i = 0; i < count; i++) if (guard.admit(client).ok) granted++;
  return granted;
}

/** How many of `count` admissions of unattributed tokens of `standing` in a row are granted. */
function admittedAs(
  guard: ReturnType<typeof createTokenInfoGuard>,
  standing: TokenStanding,
  count: number,
) {
  let granted = 0;
  for (let i = 0; i < count; i++) if (guard.admit(UNATTRIBUTED, standing).ok) granted++;
  return granted;
}

function refused(admission: Admission): number {
  if (admission.ok) throw new Error('expected a refusal');
  return admission.retryAfterSeconds;
}

describe('createTokenInfoGuard: the budget of one client', () => {
  it('admits a burst, then refuses with the seconds until the next unit', () => {
    const clock = createClock();
    // Six a minute: one unit every ten seconds.
    const guard = guardWith(clock, { perClient: { burst: 3, perMinute: 6 } });
    expect(admitted(guard, '203.0.113.7', 3)).toBe(3);
    expect(refused(guard.admit('203.0.113.7'))).toBe(10);
    clock.advance(5 * SECOND);
    expect(refused(guard.admit('203.0.113.7'))).toBe(5);
  });

  it('refills with the clock, one unit per interval', () => {
    const clock = createClock();
    const guard = guardWith(clock, { perClient: { burst: 3, perMinute: 6 } });
    expect(admitted(guard, '203.0.113.7', 3)).toBe(3);
    clock.advance(10 * SECOND - 1);
    expect(guard.admit('203.0.113.7').ok).toBe(false);
    clock.advance(1);
    expect(guard.admit('203.0.113.7').ok).toBe(true);
    expect(guard.admit('203.0.113.7').ok).toBe(false);
    clock.advance(20 * SECOND);
    expect(admitted(guard, '203.0.113.7', 5)).toBe(2);
  });

  it('refills no further than the burst, however long the client was away', () => {
    const clock = createClock();
    const guard = guardWith(clock, { perClient: { burst: 3, perMinute: 6 } });
    expect(admitted(guard, '203.0.113.7', 3)).toBe(3);
    clock.advance(24 * 3600 * SECOND);
    expect(admitted(guard, '203.0.113.7', 10)).toBe(3);
  });

  it('keeps each client’s budget apart', () => {
    const clock = createClock();
    const guard = guardWith(clock, { perClient: { burst: 2, perMinute: NEVER } });
    expect(admitted(guard, '203.0.113.7', 10)).toBe(2);
    expect(admitted(guard, '198.51.100.2', 10)).toBe(2);
  });

  it('counts refusals against no budget: a client refused by the overall budget keeps its own', () => {
    const clock = createClock();
    const guard = guardWith(clock, {
      perClient: { burst: 2, perMinute: NEVER },
      overall: { burst: 2, perMinute: 60 },
    });
    expect(guard.admit('a').ok).toBe(true);
    expect(guard.admit('b').ok).toBe(true);
    expect(admitted(guard, 'a', 5)).toBe(0); // the overall budget is spent
    clock.advance(SECOND); // one overall unit back
    expect(guard.admit('a').ok).toBe(true); // a's second unit was still there
    clock.advance(SECOND);
    expect(guard.admit('a').ok).toBe(false); // now a's own budget is spent
  });
});

describe('createTokenInfoGuard: the overall budget', () => {
  it('admits a burst across all clients, then refuses every client', () => {
    const clock = createClock();
    const guard = guardWith(clock, { overall: { burst: 5, perMinute: 60 } });
    for (let i = 0; i < 5; i++) expect(guard.admit(`198.51.100.${i}`).ok).toBe(true);
    expect(refused(guard.admit('198.51.100.99'))).toBe(1);
    expect(refused(guard.admit(UNATTRIBUTED))).toBe(1);
    clock.advance(SECOND);
    expect(guard.admit('198.51.100.99').ok).toBe(true);
    expect(guard.admit('198.51.100.98').ok).toBe(false);
  });

  it('is not spent by a client refused by its own budget', () => {
    const clock = createClock();
    const guard = guardWith(clock, {
      perClient: { burst: 2, perMinute: NEVER },
      overall: { burst: 5, perMinute: NEVER },
    });
    expect(admitted(guard, 'greedy', 100)).toBe(2);
    expect(admitted(guard, 'b', 2) + admitted(guard, 'c', 2)).toBe(3);
  });

  it('says to wait as long as the longer of the two budgets needs', () => {
    const clock = createClock();
    const guard = guardWith(clock, {
      perClient: { burst: 1, perMinute: 2 }, // a unit every 30 s
      overall: { burst: 1, perMinute: 12 }, // a unit every 5 s
    });
    expect(guard.admit('a').ok).toBe(true);
    expect(refused(guard.admit('a'))).toBe(30);
    expect(refused(guard.admit('b'))).toBe(5);
  });
});

describe('createTokenInfoGuard: requests without a trusted address (unattributed)', () => {
  it('spends only the overall budget, however small the per-client one', () => {
    const clock = createClock();
    const guard = guardWith(clock, {
      perClient: { burst: 1, perMinute: NEVER },
      overall: { burst: 4, perMinute: NEVER },
    });
    expect(admitted(guard, UNATTRIBUTED, 10)).toBe(4);
    expect(guard.admit('203.0.113.7').ok).toBe(false);
  });

  it('says to wait as long as the overall budget needs', () => {
    const clock = createClock();
    const guard = guardWith(clock, { overall: { burst: 1, perMinute: 6 } });
    expect(guard.admit(UNATTRIBUTED).ok).toBe(true);
    expect(refused(guard.admit(UNATTRIBUTED))).toBe(10);
    clock.advance(10 * SECOND);
    expect(guard.admit(UNATTRIBUTED).ok).toBe(true);
  });

  it('shares the overall budget with attributed clients', () => {
    const clock = createClock();
    const guard = guardWith(clock, { overall: { burst: 3, perMinute: NEVER } });
    expect(admitted(guard, '203.0.113.7', 2)).toBe(2);
    expect(admitted(guard, UNATTRIBUTED, 5)).toBe(1);
  });
});

describe('createTokenInfoGuard: standings share the overall budget by rank', () => {
  const overall = { burst: 20, perMinute: 60 };
  const unrecognised = { burst: 4, perMinute: 6 };

  it('gives unrecognised tokens their own small budget on top of the overall one', () => {
    const clock = createClock();
    const guard = guardWith(clock, { overall, unrecognised });
    expect(admittedAs(guard, 'unrecognised', 50)).toBe(4);
    expect(refused(guard.admit(UNATTRIBUTED, 'unrecognised'))).toBe(10);
    clock.advance(10 * SECOND);
    expect(admittedAs(guard, 'unrecognised', 50)).toBe(1);
  });

  it('never lets unrecognised tokens take the overall budget below half its burst', () => {
    const guard = guardWith(createClock(), { overall, unrecognised: PLENTY });
    expect(admittedAs(guard, 'unrecognised', 50)).toBe(10);
    expect(admittedAs(guard, 'plausible', 50)).toBe(5);
    expect(admittedAs(guard, 'known', 50)).toBe(5);
  });

  it('never lets plausible tokens take it below a quarter: the rest is for known instances', () => {
    const clock = createClock();
    const guard = guardWith(clock, { overall });
    expect(admittedAs(guard, 'plausible', 50)).toBe(15);
    expect(refused(guard.admit(UNATTRIBUTED, 'plausible'))).toBe(1);
    expect(admittedAs(guard, 'known', 50)).toBe(5);
    // Refilled, the units below a quarter go to known instances first, one at a time.
    clock.advance(SECOND);
    expect(guard.admit(UNATTRIBUTED, 'plausible').ok).toBe(false);
    expect(guard.admit(UNATTRIBUTED, 'known').ok).toBe(true);
  });

  it('lets a better standing spend what a worse one left', () => {
    const guard = guardWith(createClock(), { overall, unrecognised: PLENTY });
    expect(admittedAs(guard, 'known', 15)).toBe(15);
    expect(admittedAs(guard, 'plausible', 50)).toBe(0);
    expect(admittedAs(guard, 'known', 50)).toBe(5);
  });

  it('treats a token without a standing as known (the overall budget alone)', () => {
    const guard = guardWith(createClock(), { overall });
    expect(admitted(guard, UNATTRIBUTED, 50)).toBe(20);
  });

  it(`by default: unrecognised ${TOKEN_INFO_UNRECOGNISED_BURST}, plausible three quarters of ${TOKEN_INFO_OVERALL_BURST}, known the rest`, () => {
    const guard = createTokenInfoGuard({ now: createClock().now });
    expect(admittedAs(guard, 'unrecognised', 50)).toBe(TOKEN_INFO_UNRECOGNISED_BURST);
    expect(admittedAs(guard, 'plausible', 50)).toBe(
      (TOKEN_INFO_OVERALL_BURST * 3) / 4 - TOKEN_INFO_UNRECOGNISED_BURST,
    );
    expect(admittedAs(guard, 'known', 50)).toBe(TOKEN_INFO_OVERALL_BURST / 4);
  });
});

describe('createTokenInfoGuard: how many clients it remembers', () => {
  it('forgets the least recently seen client once a great many have come since', () => {
    const clock = createClock();
    const guard = guardWith(clock, { perClient: { burst: 1, perMinute: NEVER } });
    expect(guard.admit('first').ok).toBe(true);
    expect(guard.admit('first').ok).toBe(false);
    for (let i = 0; i < 20_000; i++) guard.admit(`client-${i}`);
    // Forgotten, so a fresh budget: memory stays bounded whatever addresses appear.
    expect(guard.admit('first').ok).toBe(true);
  });

  it('remembers a client seen recently, however many came before it', () => {
    const clock = createClock();
    const guard = guardWith(clock, { perClient: { burst: 1, perMinute: NEVER } });
    expect(guard.admit('regular').ok).toBe(true);
    for (let i = 0; i < 20_000; i++) {
      guard.admit(`client-${i}`);
      if (i % 500 === 0) expect(guard.admit('regular').ok).toBe(false);
    }
    expect(guard.admit('regular').ok).toBe(false);
  });
});

describe('createTokenInfoGuard: the breaker', () => {
  it('is closed until a failure', () => {
    const guard = guardWith(createClock(), {});
    expect(guard.openForSeconds()).toBe(0);
  });

  it(`stays open TOKEN_INFO_BREAKER_SECONDS (${TOKEN_INFO_BREAKER_SECONDS} s) after a failure by default, counting down`, () => {
    const clock = createClock();
    const guard = createTokenInfoGuard({ now: clock.now });
    guard.failed();
    expect(guard.openForSeconds()).toBe(TOKEN_INFO_BREAKER_SECONDS);
    clock.advance(4.5 * SECOND);
    expect(guard.openForSeconds()).toBe(Math.ceil(TOKEN_INFO_BREAKER_SECONDS - 4.5));
    clock.advance((TOKEN_INFO_BREAKER_SECONDS - 4.5) * SECOND - 1);
    expect(guard.openForSeconds()).toBe(1);
    clock.advance(1);
    expect(guard.openForSeconds()).toBe(0);
  });

  it('closes at once when Token Info answers', () => {
    const clock = createClock();
    const guard = guardWith(clock, { breakerSeconds: 10 });
    guard.failed();
    expect(guard.openForSeconds()).toBe(10);
    guard.answered();
    expect(guard.openForSeconds()).toBe(0);
  });

  it('restarts its window on every failure', () => {
    const clock = createClock();
    const guard = guardWith(clock, { breakerSeconds: 10 });
    guard.failed();
    clock.advance(8 * SECOND);
    guard.failed();
    expect(guard.openForSeconds()).toBe(10);
  });

  it('uses the window it is given, and never opens with 0', () => {
    const clock = createClock();
    const short = guardWith(clock, { breakerSeconds: 3 });
    short.failed();
    expect(short.openForSeconds()).toBe(3);
    const none = guardWith(clock, { breakerSeconds: 0 });
    none.failed();
    expect(none.openForSeconds()).toBe(0);
  });

  it('spends no budget', () => {
    const clock = createClock();
    const guard = guardWith(clock, { overall: { burst: 1, perMinute: NEVER } });
    guard.failed();
    guard.answered();
    expect(guard.admit('a').ok).toBe(true);
  });
});

describe('clientAddress', () => {
  const withHeaders = (headers: Record<string, string>) => testRequest('/api/me', { headers });

  it('is unattributed when no header is trusted, whatever the request claims', () => {
    const request = withHeaders({ 'x-real-ip': '203.0.113.7', 'x-forwarded-for': '203.0.113.8' });
    expect(clientAddress(request, null)).toBe(UNATTRIBUTED);
  });

  it('is unattributed when the trusted header is missing or empty', () => {
    expect(clientAddress(withHeaders({}), 'x-real-ip')).toBe(UNATTRIBUTED);
    expect(clientAddress(withHeaders({ 'x-real-ip': '' }), 'x-real-ip')).toBe(UNATTRIBUTED);
    expect(clientAddress(withHeaders({ 'x-real-ip': ' , ' }), 'x-real-ip')).toBe(UNATTRIBUTED);
  });

  it('reads the address from the trusted header only', () => {
    const request = withHeaders({ 'x-real-ip': '203.0.113.7', 'fly-client-ip': '198.51.100.2' });
    expect(clientAddress(request, 'x-real-ip')).toBe('203.0.113.7');
    expect(clientAddress(request, 'fly-client-ip')).toBe('198.51.100.2');
  });

  it('takes the last entry of a list, the one the trusted proxy appended', () => {
    const request = withHeaders({
      'x-forwarded-for': 'spoofed-by-client, 10.0.0.1 , 203.0.113.7 ',
    });
    expect(clientAddress(request, 'x-forwarded-for')).toBe('203.0.113.7');
  });

  it('keeps an IPv6 address whole', () => {
    const request = withHeaders({ 'x-real-ip': '2001:db8::8a2e:370:7334' });
    expect(clientAddress(request, 'x-real-ip')).toBe('2001:db8::8a2e:370:7334');
  });

  it('is unattributed for a value too long to be an address (64 characters at most)', () => {
    const longest = 'a'.repeat(64);
    expect(clientAddress(withHeaders({ 'x-real-ip': longest }), 'x-real-ip')).toBe(longest);
    expect(clientAddress(withHeaders({ 'x-real-ip': `${longest}a` }), 'x-real-ip')).toBe(
      UNATTRIBUTED,
    );
  });
});
