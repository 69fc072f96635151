/**
 * Zod's validation issues in words a client can show a person. Zod's own English for a bound is
 * "Too small: expected string to have >=1 characters", and a message written into a schema as a
 * template ("at least ${n} characters") reads "at least 1 characters" for n = 1. The bounds are
 * worded here instead, once, with the unit in the singular or plural as the number asks; a
 * message a schema spells out for a bound still wins (zod applies a schema's own message before
 * the per-parse map).
 */
import type { z } from 'zod';

/** What a length bound counts, per zod's `origin` of the value. */
const UNITS: Record<string, [one: string, many: string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  map: ['entry', 'entries'],
  file: ['byte', 'bytes'],
};

const counted = (n: number | bigint, [one, many]: [string, string]) =>
  `${n.toString()} ${n.toString() === '1' ? one : many}`;

/**
 * The per-parse error map for `schema.safeParse(input, { error: boundsMessage })`: words
 * `too_small` and `too_big`; anything else is left to the schema or zod (undefined).
 */
export const boundsMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'too_small' && issue.code !== 'too_big') return undefined;
  const small = issue.code === 'too_small';
  const bound = small ? issue.minimum : issue.maximum;
  if (typeof bound !== 'number' && typeof bound !== 'bigint') return undefined;
  const origin = String(issue.origin ?? '');
  const unit = UNITS[origin];
  if (unit) {
    // The bound as the count it allows: "more than 2" is "at least 3" (lengths are whole).
    const n = issue.inclusive === false ? (small ? Number(bound) + 1 : Number(bound) - 1) : bound;
    if (issue.exact) return `must have exactly ${counted(n, unit)}`;
    if (small && n.toString() === '1') return 'must not be empty';
    if (!small && n.toString() === '0') return 'must be empty';
    return `must have ${small ? 'at least' : 'at most'} ${counted(n, unit)}`;
  }
  if (origin === 'date') {
    const when = new Date(Number(bound)).toISOString();
    return small ? `must be ${when} or later` : `must be ${when} or earlier`;
  }
  if (issue.exact) return `must be exactly ${bound.toString()}`;
  if (small) {
    return issue.inclusive === false
      ? `must be greater than ${bound.toString()}`
      : `must be at least ${bound.toString()}`;
  }
  return issue.inclusive === false
    ? `must be less than ${bound.toString()}`
    : `must be at most ${bound.toString()}`;
};

/**
 * Validates with the worded bounds: what every place that turns issues into a problem's detail
 * parses with (`parseInput`, the settings document).
 */
export function safeParseWorded<S extends z.ZodType>(schema: S, input: unknown) {
  return schema.safeParse(input, { error: boundsMessage });
}

/** Each issue as `field: message` (the message alone when the whole value is at fault). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
}
