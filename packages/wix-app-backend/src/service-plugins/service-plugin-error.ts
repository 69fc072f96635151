/**
 * A business answer that is not a success: Wix's `applicationError`. A handler throws
 * `new ServicePluginError(404, 'GIFT_CARD_NOT_FOUND')`; the entry answers
 * `{"applicationError":{"code":"GIFT_CARD_NOT_FOUND","data":…}}` with status 404 — the shape
 * `@wix/sdk`'s own processing sends for its `errorType: 'SPI'` errors, and what each method's
 * reference lists (shipping 400 `MISSING_POSTAL_CODE`, gift cards 428 `INSUFFICIENT_FUNDS`, …).
 *
 * Not an `AppError`: that is a problem+json about the request; this is the plugin's own answer
 * to a well-formed request, which Wix shows the buyer or acts on.
 */

const BRAND = Symbol.for('wix-app-backend.ServicePluginError');

export class ServicePluginError extends Error {
  readonly [BRAND] = true;
  readonly status: number;
  readonly code: string;
  readonly data: Record<string, unknown> | undefined;

  constructor(status: number, code: string, data?: Record<string, unknown>) {
    super(`${status} ${code}`);
    if (!Number.isInteger(status) || status < 400 || status > 499)
      throw new Error('a service-plugin business error answers a 4xx status');
    this.name = 'ServicePluginError';
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

/** True for a `ServicePluginError` from any bundle's copy of this module (see isAppError). */
export function isServicePluginError(value: unknown): value is ServicePluginError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

/** The body Wix reads for a business error. */
export function applicationErrorBody(error: ServicePluginError): Record<string, unknown> {
  return {
    applicationError: {
      code: error.code,
      ...(error.data === undefined ? {} : { data: error.data }),
    },
  };
}
