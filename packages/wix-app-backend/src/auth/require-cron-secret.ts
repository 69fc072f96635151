/**
 * The purge cron route's credential. Vercel Cron sends `Authorization: Bearer <CRON_SECRET>`;
 * compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/app-error';

/** Throws `cron_not_configured` (503) without a secret, `invalid_cron_secret` (401) otherwise. */
export function requireCronSecret(request: Request, secret: string | null): void {
  if (!secret)
    throw new AppError('cron_not_configured', 'Set CRON_SECRET to enable the purge route.');
  const sent = request.headers.get('authorization') ?? '';
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  // Hashing first gives equal lengths, so timingSafeEqual never leaks the secret's length.
  if (!timingSafeEqual(digest(sent), digest(`Bearer ${secret}`))) {
    throw new AppError('invalid_cron_secret', 'Send Authorization: Bearer <CRON_SECRET>.');
  }
}
