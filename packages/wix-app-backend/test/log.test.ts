import { describe, expect, it } from 'vitest';
import { createLogger, errorFields } from '../src/log';

/** An error as drizzle throws it for a failed query: the query, then its parameters. */
function failedQuery(cause?: unknown): Error {
  return new Error(
    "Failed query: update settings set document = $1 where instance_id = $2 and email = 'victim@example.com'\n" +
      'params: {"notificationEmail":"victim@example.com"},a@b.c,user-1',
    { cause },
  );
}

const everything = (fields: object) => JSON.stringify(fields);

describe('errorFields', () => {
  it('keeps the type and the message of a failed query, without its parameters', () => {
    const fields = errorFields(failedQuery());
    expect(fields.error).toBe('Error');
    expect(fields.errorMessage).toMatch(/^Failed query: update settings set document = \$1/);
    expect(everything(fields)).not.toContain('params');
    expect(everything(fields)).not.toContain('a@b.c');
    expect(everything(fields)).not.toContain('user-1');
  });

  it('masks quoted values in a message, single or double quoted', () => {
    const fields = errorFields(
      new Error(`invalid input syntax for type uuid: "a@b.c" near 'hunter2' and "say \\"hi\\""`),
    );
    expect(fields.errorMessage).toBe('invalid input syntax for type uuid: "…" near "…" and "…"');
    expect(everything(errorFields(failedQuery()))).not.toContain('victim');
  });

  it('keeps stack frames only: where it failed, not the message on the stack’s first lines', () => {
    const error = failedQuery();
    expect(error.stack).toContain('a@b.c'); // the stack repeats the message, parameters and all
    const fields = errorFields(error);
    expect(fields.errorAt).toMatch(/^at /);
    expect(fields.errorAt).toContain('log.test.ts');
    expect(fields.errorAt).not.toContain('a@b.c');
    expect(fields.errorAt).not.toContain('victim');
    expect(String(fields.errorAt).split(' | ').length).toBeLessThanOrEqual(3);
  });

  it('has no errorAt for an error without frames', () => {
    const error = new Error('no stack');
    error.stack = 'Error: no stack';
    expect(errorFields(error).errorAt).toBeUndefined();
  });

  it('keeps the code of a driver error, as text or number', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(errorFields(refused)).toMatchObject({ errorCode: 'ECONNREFUSED' });
    expect(errorFields(Object.assign(new Error('x'), { code: 42 }))).toMatchObject({
      errorCode: 42,
    });
    expect(errorFields(Object.assign(new Error('x'), { code: { nested: 1 } }))).not.toHaveProperty(
      'errorCode',
    );
  });

  it('names the cause, scrubbing its message the same way', () => {
    const cause = Object.assign(
      new Error('duplicate key value violates unique constraint "settings_pkey"\nparams: a@b.c'),
      { name: 'PostgresError', code: '23505' },
    );
    const fields = errorFields(failedQuery(cause));
    expect(fields).toMatchObject({
      cause: 'PostgresError',
      causeMessage: 'duplicate key value violates unique constraint "…"',
      causeCode: '23505',
    });
    expect(everything(fields)).not.toContain('a@b.c');
    expect(everything(fields)).not.toContain('settings_pkey');
  });

  it('ignores a cause that is not an Error', () => {
    const fields = errorFields(new Error('outer', { cause: 'a@b.c' }));
    expect(fields).not.toHaveProperty('cause');
    expect(everything(fields)).not.toContain('a@b.c');
  });

  it('describes a thrown non-Error by its type and scrubbed text', () => {
    expect(errorFields('database went away\nparams: a@b.c')).toEqual({
      error: 'string',
      errorMessage: 'database went away',
    });
    expect(errorFields({ email: 'a@b.c' })).toEqual({
      error: 'object',
      errorMessage: '[object Object]',
    });
    expect(errorFields(undefined)).toEqual({ error: 'undefined', errorMessage: 'undefined' });
    expect(errorFields(42)).toEqual({ error: 'number', errorMessage: '42' });
  });

  it('drops the parameters whatever their case or spacing', () => {
    for (const text of ['boom params: a@b.c', 'boom\n  PARAMS: a@b.c', 'boom\r\nParams:a@b.c']) {
      expect(errorFields(new Error(text)).errorMessage).toBe('boom');
    }
  });

  it('puts the message on one line, at most 300 characters long', () => {
    const fields = errorFields(new Error(`first\n\tsecond   third ${'x'.repeat(1000)}`));
    expect(fields.errorMessage).toMatch(/^first second third x+$/);
    expect(String(fields.errorMessage)).toHaveLength(300);
  });

  it('gives a logger fields it can write as one JSON line', () => {
    const lines: string[] = [];
    createLogger('debug', (line) => lines.push(line)).error('request_failed', {
      ...errorFields(failedQuery()),
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'request_failed', error: 'Error' });
    expect(lines[0]).not.toContain('a@b.c');
  });
});
