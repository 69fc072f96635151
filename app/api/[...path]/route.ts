import { route } from '@/lib/http/route';
import { AppError } from 'wix-app-backend/errors/app-error';

/**
 * Unknown /api paths answer a problem, not Next's HTML 404 page. Like every route that is not
 * public they check the credential first, so a caller without a valid one learns nothing about
 * which paths exist (no database needed: there is no data here).
 */
const notFound = route(async (request, app) => {
  const result = await app.verifyCredential(request);
  if (!result.ok) {
    throw new AppError(result.reason, undefined, { retryAfterSeconds: result.retryAfterSeconds });
  }
  throw new AppError('not_found', 'No API route at this path.');
});

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
