/**
 * Fixed, public development credentials: what the app runs on when nothing is configured outside
 * production, so `npm run dev` works on a fresh clone. They are printed in the README, so they
 * protect nothing — which is why production refuses to start without real ones
 * (docs/decisions/004-development-credentials.md).
 */
export const DEV_APP_ID = '00000000-0000-4000-8000-00000000de70';
export const DEV_APP_SECRET = 'development-only-app-secret-not-for-production';
