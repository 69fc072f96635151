import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error';
import { etagFor, parseIfMatch, parseOptionalIfMatch } from '../../src/http/etag';
import { toProblemResponse } from '../../src/http/problem';

function thrown(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

describe('etagFor', () => {
  it('quotes the version as a strong ETag', () => {
    expect(etagFor(0)).toBe('"0"');
    expect(etagFor(12)).toBe('"12"');
  });

  it('writes ETags that parseIfMatch reads back', () => {
    for (const version of [0, 1, 42, 999_999_999]) {
      expect(parseIfMatch(etagFor(version))).toBe(version);
    }
  });
});

const BLANK: [string, string | null][] = [
  ['missing', null],
  ['empty', ''],
  ['blank', '   '],
];
const WILDCARDS: [string, string][] = [
  ['a wildcard', '*'],
  ['a padded wildcard', ' * '],
];
const VERSIONS: [string, number][] = [
  ['"0"', 0],
  ['"3"', 3],
  [' "3" ', 3],
  ['"123456789"', 123_456_789],
];
const NOT_OURS: [string, string][] = [
  ['a weak ETag', 'W/"3"'],
  ['an unquoted number', '3'],
  ['a non-numeric ETag', '"x"'],
  ['a negative version', '"-1"'],
  ['a fractional version', '"1.5"'],
  ['a list of ETags', '"1", "2"'],
  ['a version too long to be ours', '"1234567890"'],
  ['an empty ETag', '""'],
];

describe('parseIfMatch', () => {
  it.each([...BLANK, ...WILDCARDS])(
    'demands a version (precondition_required) when If-Match is %s',
    (_label, header) => {
      expect(thrown(() => parseIfMatch(header)).code).toBe('precondition_required');
    },
  );

  it.each(VERSIONS)('reads %s as version %i', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it.each(NOT_OURS)('treats %s as a version conflict', (_label, header) => {
    expect(thrown(() => parseIfMatch(header)).code).toBe('version_conflict');
  });

  it('answers 428 without a version and 412 for one not ours', () => {
    expect(toProblemResponse(thrown(() => parseIfMatch(null))).status).toBe(428);
    expect(toProblemResponse(thrown(() => parseIfMatch('W/"3"'))).status).toBe(412);
  });

  it('sends no ETag with a conflict it cannot name a current version for', () => {
    const response = toProblemResponse(thrown(() => parseIfMatch('"x"')));
    expect(response.headers.has('etag')).toBe(false);
  });
});

describe('parseOptionalIfMatch', () => {
  it.each(BLANK)('reads no precondition (null) when If-Match is %s', (_label, header) => {
    expect(parseOptionalIfMatch(header)).toBeNull();
  });

  it.each(WILDCARDS)('still refuses %s, which would overwrite blindly', (_label, header) => {
    expect(thrown(() => parseOptionalIfMatch(header)).code).toBe('precondition_required');
  });

  it.each(VERSIONS)('reads %s as version %i', (header, version) => {
    expect(parseOptionalIfMatch(header)).toBe(version);
  });

  it.each(NOT_OURS)('treats %s as a version conflict', (_label, header) => {
    expect(thrown(() => parseOptionalIfMatch(header)).code).toBe('version_conflict');
  });
});
