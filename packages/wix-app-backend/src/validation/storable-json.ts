/**
 * JSON that PostgreSQL's `jsonb` can store and a handler can walk: every string and key storable
 * text (src/validation/storable-text.ts: no NUL, no lone surrogate) and nesting no deeper than a
 * bound. PostgreSQL refuses the first two and its parser (like any recursive reader) runs out of
 * stack on the third; checked here, each is a reason instead of a 500.
 */
import { isStorableText } from './storable-text';

export type UnstorableJsonReason = 'unstorable_text' | 'too_deep';
export type VerifyStorableJsonResult = { ok: true } | { ok: false; reason: UnstorableJsonReason };

/**
 * Checks a parsed JSON value. Walks it with a stack of its own, never recursing, so a value
 * nested past any bound is refused rather than overflowing here. Never throws.
 */
export function verifyStorableJson(value: unknown, maxDepth: number): VerifyStorableJsonResult {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: item, depth } = next;
    if (typeof item === 'string') {
      if (!isStorableText(item)) return { ok: false, reason: 'unstorable_text' };
    } else if (item !== null && typeof item === 'object') {
      if (depth >= maxDepth) return { ok: false, reason: 'too_deep' };
      for (const [key, child] of Object.entries(item)) {
        if (!isStorableText(key)) return { ok: false, reason: 'unstorable_text' };
        pending.push({ value: child, depth: depth + 1 });
      }
    }
  }
  return { ok: true };
}
