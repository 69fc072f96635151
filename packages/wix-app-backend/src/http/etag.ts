/**
 * Versions as HTTP validators. Every versioned resource here (settings, notes) uses its integer
 * version as a strong ETag, and writes must name the version they read in `If-Match`, so a
 * stale write gets 412 instead of silently overwriting someone else's change.
 */
import { AppError } from '../errors/app-error';

/** The ETag for a version number: `"<version>"`. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

/**
 * The version named by a required `If-Match`. Missing or `*` → 428 `precondition_required` (a
 * `*` would overwrite blindly); anything that is not one of our ETags → 412 `version_conflict`.
 */
export function parseIfMatch(header: string | null): number {
  if (header === null || header.trim() === '') {
    throw new AppError('precondition_required', 'Send If-Match with the ETag from your last GET.');
  }
  return parseOptionalIfMatch(header)!;
}

/** Like `parseIfMatch`, for writes where the precondition is optional: null when absent. */
export function parseOptionalIfMatch(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  if (value === '*') {
    throw new AppError(
      'precondition_required',
      'If-Match: * would overwrite blindly; send the ETag.',
    );
  }
  const match = /^"(\d{1,9})"$/.exec(value);
  if (!match) throw new AppError('version_conflict', 'If-Match does not name a current version.');
  return Number(match[1]);
}
