import { describe, expect, it } from 'vitest';
import { createTtlCache } from '../../src/cache/ttl-cache';

function cacheOf(maxEntries = 100) {
  let now = 1_000_000;
  const cache = createTtlCache<string>({ maxEntries, now: () => now });
  return {
    cache,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('createTtlCache: expiry', () => {
  it('returns a value until its ttl has passed, and not from that moment on', () => {
    const { cache, advance } = cacheOf();
    cache.set('a', 'A', 1_000);
    advance(999);
    expect(cache.get('a')).toBe('A');
    advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops an expired entry when it is read', () => {
    const { cache, advance } = cacheOf();
    cache.set('a', 'A', 10);
    advance(10);
    expect(cache.size).toBe(1);
    cache.get('a');
    expect(cache.size).toBe(0);
  });

  it('keeps a ttl per entry', () => {
    const { cache, advance } = cacheOf();
    cache.set('short', 'S', 100);
    cache.set('long', 'L', 10_000);
    advance(5_000);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBe('L');
  });

  it('does not extend an entry’s life when it is read', () => {
    const { cache, advance } = cacheOf();
    cache.set('a', 'A', 1_000);
    advance(900);
    expect(cache.get('a')).toBe('A');
    advance(100);
    expect(cache.get('a')).toBeUndefined();
  });

  it('restarts the ttl when a key is set again', () => {
    const { cache, advance } = cacheOf();
    cache.set('a', 'old', 1_000);
    advance(900);
    cache.set('a', 'new', 1_000);
    advance(900);
    expect(cache.get('a')).toBe('new');
    expect(cache.size).toBe(1);
  });

  it.each([0, -5])('stores nothing for a ttl of %i', (ttl) => {
    const { cache } = cacheOf();
    cache.set('never', 'N', ttl);
    expect(cache.get('never')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a deleted key, and ignores deleting an unknown one', () => {
    const { cache } = cacheOf();
    cache.set('a', 'A', 1_000);
    cache.delete('a');
    cache.delete('unknown');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('uses Date.now when no clock is given', () => {
    const cache = createTtlCache<number>({ maxEntries: 1 });
    cache.set('a', 1, 60_000);
    expect(cache.get('a')).toBe(1);
  });
});

describe('createTtlCache: bound and eviction order', () => {
  it('never holds more than maxEntries, evicting the least recently set first', () => {
    const { cache } = cacheOf(3);
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, key.toUpperCase(), 1_000);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(['b', 'c', 'd'].map((key) => cache.get(key))).toEqual(['B', 'C', 'D']);
  });

  it('counts a read as a use: the least recently used goes, not the oldest written', () => {
    const { cache } = cacheOf(3);
    cache.set('a', 'A', 1_000);
    cache.set('b', 'B', 1_000);
    cache.set('c', 'C', 1_000);
    cache.get('a'); // a is now the most recent
    cache.set('d', 'D', 1_000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
  });

  it('counts setting an existing key as a use', () => {
    const { cache } = cacheOf(2);
    cache.set('a', 'A', 1_000);
    cache.set('b', 'B', 1_000);
    cache.set('a', 'A2', 1_000);
    cache.set('c', 'C', 1_000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A2');
  });

  it('stays at maxEntries after 100,000 distinct keys with maxEntries 10,000', () => {
    const cache = createTtlCache<number>({ maxEntries: 10_000, now: () => 0 });
    for (let i = 0; i < 100_000; i++) {
      cache.set(`key-${i}`, i, 60_000);
      if (cache.size > 10_000) throw new Error(`size ${cache.size} after ${i + 1} keys`);
    }
    expect(cache.size).toBe(10_000);
    expect(cache.get('key-89999')).toBeUndefined();
    expect(cache.get('key-90000')).toBe(90_000);
    expect(cache.get('key-99999')).toBe(99_999);
  });
});
