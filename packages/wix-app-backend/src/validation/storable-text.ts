/**
 * Text that PostgreSQL can store. JSON may carry a NUL character (`"\u0000"`), which `text` and
 * `jsonb` columns refuse, and lone UTF-16 surrogates (`"\ud800"`), which are not Unicode: both
 * would fail in the database as a 500. This schema refuses them as invalid input instead.
 */
import { z } from 'zod';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` can be stored as PostgreSQL text: no NUL, no lone surrogate. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/**
 * A string field bounded in length and storable; trimmed unless `trim: false`. The bounds carry
 * no message of their own: `parseInput` words them, singular or plural as the number asks.
 */
export function storableText(options: { min?: number; max: number; trim?: boolean }) {
  const base = options.trim === false ? z.string() : z.string().trim();
  return base
    .min(options.min ?? 0)
    .max(options.max)
    .refine(isStorableText, 'must be valid Unicode text without NUL characters');
}
