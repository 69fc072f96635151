import { problemResponse } from '@/lib/http/problem';

/** Unknown /api paths answer a problem, not Next's HTML 404 page (the middleware adds CORS). */
const notFound = async () => problemResponse('not_found', 'No API route at this path.');

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
