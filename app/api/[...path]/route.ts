import { unknownApiPath } from 'wix-app-backend/routes';
import { route } from '@/lib/wix-app';

/** Unknown /api paths: 401 without a valid credential, then a 404 problem (never Next's page). */
const notFound = route(unknownApiPath);

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
