import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/errors/app-error';
import { parseInput, readJsonInput } from '../../src/http/read-json-input';
import { storableText } from '../../src/validation/storable-text';

const Thing = z.strictObject({ title: storableText({ min: 1, max: 5 }), count: z.number().int() });
const post = (body: string, type = 'application/json') =>
  new Request('http://localhost/api/things', {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  });

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('readJsonInput', () => {
  it('answers the parsed, validated input', async () => {
    expect(
      await readJsonInput(post('{"title":" Hi ","count":2}'), Thing, { maxBytes: 100 }),
    ).toEqual({
      title: 'Hi',
      count: 2,
    });
  });

  it('lists every problem with its field as invalid_body', async () => {
    const error = await rejection(
      readJsonInput(post('{"title":"","count":1.5,"x":1}'), Thing, { maxBytes: 100 }),
    );
    expect(error.code).toBe('invalid_body');
    expect(error.detail).toContain('title:');
    expect(error.detail).toContain('count:');
    expect(error.detail).toMatch(/x/);
  });

  it('keeps the body codes of readJsonBody: 415, 413 and invalid_json', async () => {
    expect(
      (await rejection(readJsonInput(post('{}', 'text/plain'), Thing, { maxBytes: 100 }))).code,
    ).toBe('unsupported_media_type');
    expect(
      (
        await rejection(
          readJsonInput(post(`{"title":"${'a'.repeat(200)}"}`), Thing, { maxBytes: 100 }),
        )
      ).code,
    ).toBe('payload_too_large');
    expect((await rejection(readJsonInput(post('{'), Thing, { maxBytes: 100 }))).code).toBe(
      'invalid_json',
    );
  });
});

describe('parseInput', () => {
  it('refuses text PostgreSQL cannot store, as invalid input rather than a database error', () => {
    for (const title of ['a\u0000b', '\ud800', 'b\udc00']) {
      let error: unknown;
      try {
        parseInput(Thing, { title, count: 1 });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('invalid_body');
    }
  });
});
