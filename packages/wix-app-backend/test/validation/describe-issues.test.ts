import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, safeParseWorded } from '../../src/validation/describe-issues';

/** The one message `schema` gives `input` when parsed with the worded bounds. */
function messageOf(schema: z.ZodType, input: unknown): string {
  const parsed = safeParseWorded(schema, input);
  if (parsed.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return describeIssues(parsed.error).join('; ');
}

describe('safeParseWorded', () => {
  it.each([
    ['a string under its minimum of 1', z.string().min(1), '', 'must not be empty'],
    ['a string under a minimum of 2', z.string().min(2), 'a', 'must have at least 2 characters'],
    ['a string over a maximum of 1', z.string().max(1), 'ab', 'must have at most 1 character'],
    ['a string over a maximum of 5', z.string().max(5), 'abcdef', 'must have at most 5 characters'],
    ['a string of another length', z.string().length(1), 'ab', 'must have exactly 1 character'],
    ['a string over a maximum of 0', z.string().max(0), 'a', 'must be empty'],
    ['an array under a minimum of 1', z.array(z.number()).min(1), [], 'must not be empty'],
    ['an array under 2', z.array(z.number()).min(2), [1], 'must have at least 2 items'],
    ['an array over 1', z.array(z.number()).max(1), [1, 2], 'must have at most 1 item'],
    ['a number under 1', z.number().min(1), 0, 'must be at least 1'],
    ['a number over 10', z.number().max(10), 11, 'must be at most 10'],
    ['a number not positive', z.number().positive(), 0, 'must be greater than 0'],
    ['a number not under 5', z.number().lt(5), 5, 'must be less than 5'],
  ])('words %s', (_label, schema, input, expected) => {
    expect(messageOf(schema, input)).toBe(expected);
  });

  it('never says "1 characters", nor zod\'s own "Too small"/"Too big"', () => {
    for (const [schema, input] of [
      [z.string().min(1), ''],
      [z.string().trim().min(1), '   '],
      [z.string().max(1), 'ab'],
      [z.string().min(1).max(1), 'ab'],
    ] as const) {
      expect(messageOf(schema, input)).not.toMatch(/\b1 characters|Too (small|big)/);
    }
  });

  it('keeps a message the schema spells out for its bound', () => {
    expect(messageOf(z.string().min(3, 'pick a longer name'), 'ab')).toBe('pick a longer name');
  });

  it('leaves other issues to the schema and zod', () => {
    expect(messageOf(z.email('must be an email address'), 'x')).toBe('must be an email address');
    expect(messageOf(z.strictObject({ a: z.string() }), { a: 'x', b: 1 })).toMatch(/b/);
  });

  it('names the field of each issue', () => {
    const schema = z.object({ title: z.string().min(1), tags: z.array(z.string()).max(1) });
    expect(messageOf(schema, { title: '', tags: ['a', 'b'] })).toBe(
      'title: must not be empty; tags: must have at most 1 item',
    );
  });
});
