import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings } from '@/lib/settings/settings-schema';

const valid = { greeting: 'Hello', theme: 'dark', notificationEmail: 'owner@example.com' };

function issuesOf(input: unknown): string[] {
  const result = parseSettings(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.issues;
}

describe('parseSettings', () => {
  it('accepts a complete valid document unchanged', () => {
    expect(parseSettings(valid)).toEqual({ ok: true, value: valid });
  });

  it('accepts the defaults', () => {
    expect(parseSettings(DEFAULT_SETTINGS)).toEqual({ ok: true, value: DEFAULT_SETTINGS });
  });

  it('accepts a greeting of exactly 200 characters and refuses 201', () => {
    expect(parseSettings({ ...valid, greeting: 'x'.repeat(200) }).ok).toBe(true);
    expect(issuesOf({ ...valid, greeting: 'x'.repeat(201) })).toEqual([
      'greeting: must have at most 200 characters',
    ]);
  });

  it('trims the greeting before checking and storing it', () => {
    const padded = `  ${'x'.repeat(200)}  `;
    expect(parseSettings({ ...valid, greeting: padded })).toEqual({
      ok: true,
      value: { ...valid, greeting: 'x'.repeat(200) },
    });
  });

  it.each([
    ['empty', ''],
    ['blank', '   \n\t '],
  ])('refuses an %s greeting', (_label, greeting) => {
    expect(issuesOf({ ...valid, greeting })).toEqual(['greeting: must not be empty']);
  });

  it.each([null, 42, ['Hello']])('refuses a greeting that is not a string (%j)', (greeting) => {
    expect(issuesOf({ ...valid, greeting })[0]).toMatch(/^greeting: /);
  });

  it.each(['light', 'dark'])('accepts theme %s', (theme) => {
    expect(parseSettings({ ...valid, theme }).ok).toBe(true);
  });

  it.each(['blue', 'Dark', '', null])('refuses theme %j', (theme) => {
    expect(issuesOf({ ...valid, theme })[0]).toMatch(/^theme: /);
  });

  it.each(['not-an-email', 'owner@', '@example.com', 'owner example@example.com'])(
    'refuses notificationEmail %j',
    (notificationEmail) => {
      expect(issuesOf({ ...valid, notificationEmail })).toEqual([
        'notificationEmail: must be an email address',
      ]);
    },
  );

  it('refuses an email longer than 254 characters', () => {
    const notificationEmail = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}.com`;
    expect(notificationEmail.length).toBeGreaterThan(254);
    expect(issuesOf({ ...valid, notificationEmail })[0]).toMatch(/^notificationEmail: /);
  });

  it('accepts a null notificationEmail', () => {
    expect(parseSettings({ ...valid, notificationEmail: null })).toEqual({
      ok: true,
      value: { ...valid, notificationEmail: null },
    });
  });

  it('fills an omitted notificationEmail with null', () => {
    expect(parseSettings({ greeting: 'Hi', theme: 'light' })).toEqual({
      ok: true,
      value: { greeting: 'Hi', theme: 'light', notificationEmail: null },
    });
  });

  it('refuses missing required fields, naming each', () => {
    const issues = issuesOf({});
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^greeting: /);
    expect(issues[1]).toMatch(/^theme: /);
  });

  it('refuses unknown fields instead of dropping them', () => {
    const issues = issuesOf({ ...valid, instanceId: 'someone-else', isAdmin: true });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('instanceId');
    expect(issues[0]).toContain('isAdmin');
  });

  it.each([null, 'Hello', 42, [valid]])(
    'refuses a document that is not an object (%j)',
    (input) => {
      expect(issuesOf(input)).toHaveLength(1);
    },
  );

  it('reports every problem at once', () => {
    expect(issuesOf({ greeting: '', theme: 'blue', notificationEmail: 'x' })).toHaveLength(3);
  });
});

describe('parseSettings and text PostgreSQL cannot store', () => {
  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', 'ok \udc00 then'],
    ['a reversed pair', '\udc00\ud800'],
  ])('refuses a greeting with %s', (_label, greeting) => {
    const result = parseSettings({ greeting, theme: 'dark' });
    expect(result.ok).toBe(false);
  });

  it('accepts a proper surrogate pair (an emoji)', () => {
    expect(parseSettings({ greeting: 'hi 👋', theme: 'dark' }).ok).toBe(true);
  });
});
