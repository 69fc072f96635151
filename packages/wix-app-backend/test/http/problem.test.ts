import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../src/db/errors';
import { AppError, type ErrorCode } from '../../src/errors/app-error';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  problemResponse,
  problemStatus,
  toProblemResponse,
} from '../../src/http/problem';
import { WIX_DEFAULT_RETRY_AFTER_SECONDS, WixApiError } from '../../src/wix/wix-api-error';

const neverLog = (line: string) => {
  throw new Error(`unexpected log: ${line}`);
};

describe('problemResponse', () => {
  it('answers an RFC 9457 problem with the code’s status and title, never cached', async () => {
    const response = problemResponse('not_found', 'No such note.');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      type: 'about:blank',
      status: 404,
      title: 'Not found',
      code: 'not_found',
      detail: 'No such note.',
    });
  });

  it('leaves detail out when there is none', async () => {
    expect(await problemResponse('not_found').json()).not.toHaveProperty('detail');
  });

  it('adds a default Retry-After to a 503 and keeps one it is given', () => {
    expect(problemResponse('database_unavailable').headers.get('retry-after')).toBe(
      String(DEFAULT_RETRY_AFTER_SECONDS),
    );
    expect(
      problemResponse('database_unavailable', undefined, { 'retry-after': '42' }).headers.get(
        'retry-after',
      ),
    ).toBe('42');
    expect(problemResponse('wix_timeout').headers.has('retry-after')).toBe(false);
  });

  it('challenges a 401, naming the reason unless no credential was sent (RFC 6750)', () => {
    expect(problemResponse('missing_credentials').headers.get('www-authenticate')).toBe(
      'Bearer realm="wix-app"',
    );
    expect(problemResponse('expired_instance').headers.get('www-authenticate')).toBe(
      'Bearer realm="wix-app", error="invalid_token", error_description="expired_instance"',
    );
  });

  it('keeps the headers it is given (CORS)', () => {
    const response = problemResponse('caller_not_allowed', undefined, { vary: 'Origin' });
    expect(response.status).toBe(403);
    expect(response.headers.get('vary')).toBe('Origin');
  });
});

describe('toProblemResponse', () => {
  it('names the request in the body as `requestId` when given its id, and only then', async () => {
    const error = new AppError('plan_required', undefined, {
      extensions: { plans: ['gold'], requestId: 'not-ours' },
    });
    expect(
      await toProblemResponse(error, { requestId: 'req-1', log: neverLog }).json(),
    ).toMatchObject({ code: 'plan_required', plans: ['gold'], requestId: 'req-1' });
    expect(
      await toProblemResponse(new Error('x'), { requestId: 'req-2', log: () => {} }).json(),
    ).toEqual({
      type: 'about:blank',
      status: 500,
      title: 'Internal server error',
      code: 'internal_error',
      detail: 'The server could not complete the request.',
      requestId: 'req-2',
    });
    expect(
      await toProblemResponse(new AppError('not_found'), { log: neverLog }).json(),
    ).not.toHaveProperty('requestId');
  });

  it('answers an AppError with its code, detail and status', async () => {
    const response = toProblemResponse(new AppError('caller_not_allowed', 'Only the dashboard.'), {
      log: neverLog,
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      code: 'caller_not_allowed',
      detail: 'Only the dashboard.',
    });
  });

  it.each([
    [0.2, '1'],
    [1, '1'],
    [2.5, '3'],
    [60, '60'],
  ])(
    'sends retryAfterSeconds %d as Retry-After %s (whole seconds, at least 1)',
    (seconds, header) => {
      const error = new AppError('wix_rate_limited', undefined, { retryAfterSeconds: seconds });
      expect(toProblemResponse(error, { log: neverLog }).headers.get('retry-after')).toBe(header);
    },
  );

  it('sends the current version as the ETag of a version_conflict', () => {
    const error = new AppError('version_conflict', 'reload', { currentVersion: 7 });
    const response = toProblemResponse(error, { log: neverLog });
    expect(response.status).toBe(412);
    expect(response.headers.get('etag')).toBe('"7"');
  });

  it('sends no ETag for a version_conflict without a current version', () => {
    const response = toProblemResponse(new AppError('version_conflict'), { log: neverLog });
    expect(response.headers.has('etag')).toBe(false);
  });

  it('sends no ETag for other codes, whatever currentVersion says', () => {
    const error = new AppError('invalid_settings', 'bad', { currentVersion: 7 });
    expect(toProblemResponse(error, { log: neverLog }).headers.has('etag')).toBe(false);
  });

  it('answers a DatabaseUnavailableError with 503 and its Retry-After', async () => {
    const response = toProblemResponse(new DatabaseUnavailableError(), { log: neverLog });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ code: 'database_unavailable' });
  });

  const wixCases: [string, WixApiError, ErrorCode, number, string | null][] = [
    ['a timeout', new WixApiError('timeout'), 'wix_timeout', 504, null],
    [
      'a network failure',
      new WixApiError('network'),
      'wix_unavailable',
      502,
      String(WIX_DEFAULT_RETRY_AFTER_SECONDS),
    ],
    [
      'our budget',
      new WixApiError('budget', { retryAfterSeconds: 12 }),
      'wix_rate_limited',
      503,
      '12',
    ],
    [
      'a 429 without Retry-After',
      new WixApiError('http', { status: 429 }),
      'wix_rate_limited',
      503,
      String(WIX_DEFAULT_RETRY_AFTER_SECONDS),
    ],
    [
      'a 429 with Retry-After',
      new WixApiError('http', { status: 429, retryAfterSeconds: 40 }),
      'wix_rate_limited',
      503,
      '40',
    ],
    ['a 401', new WixApiError('http', { status: 401 }), 'wix_auth_failed', 502, null],
    ['a 403', new WixApiError('http', { status: 403 }), 'wix_auth_failed', 502, null],
    [
      'a 500',
      new WixApiError('http', { status: 500 }),
      'wix_unavailable',
      502,
      String(WIX_DEFAULT_RETRY_AFTER_SECONDS),
    ],
    ['a 404', new WixApiError('http', { status: 404 }), 'wix_error', 502, null],
    ['a 400', new WixApiError('http', { status: 400 }), 'wix_error', 502, null],
  ];

  it.each(wixCases)(
    'answers a WixApiError for %s with its code, status and Retry-After',
    async (_label, error, code, status, retryAfter) => {
      expect(error.code).toBe(code);
      expect(problemStatus(code)).toBe(status);
      const response = toProblemResponse(error, { log: neverLog });
      expect(response.status).toBe(status);
      expect(response.headers.get('retry-after')).toBe(retryAfter);
      expect(await response.json()).toMatchObject({ code });
    },
  );

  it('tells the client Wix’s request id, and nothing else Wix said', async () => {
    const error = new WixApiError('http', {
      status: 400,
      wixCode: 'INTERNAL_WIX_CODE',
      requestId: 'wix-req-9',
      path: '/apps/v1/instance',
    });
    const text = await toProblemResponse(error, { log: neverLog }).text();
    expect(text).toContain('wix-req-9');
    expect(text).not.toContain('INTERNAL_WIX_CODE');
    expect(text).not.toContain('/apps/v1/instance');
  });
});
