/**
 * Fixed, public development credentials: what the app runs on when nothing is configured outside
 * production, so `npm run dev` works on a fresh clone. They are printed in the README, so they
 * protect nothing — which is why production refuses to start without real ones
 * (docs/decisions/004-development-credentials.md).
 */
export const DEV_APP_ID = '00000000-0000-4000-8000-00000000de70';
export const DEV_APP_SECRET = 'development-only-app-secret-not-for-production';

/** Two sample sites so the demo can show that instances are kept apart. */
export const DEV_SAMPLE_SITES = {
  a: {
    label: 'Sample site A',
    instanceId: 'aaaaaaaa-0000-4000-8000-00000000000a',
    uid: 'a0a0a0a0-0000-4000-8000-0000000000a1',
    permissions: 'OWNER',
  },
  b: {
    label: 'Sample site B',
    instanceId: 'bbbbbbbb-0000-4000-8000-00000000000b',
    uid: 'b0b0b0b0-0000-4000-8000-0000000000b1',
    permissions: 'OWNER',
  },
} as const;

export type DevSampleSite = keyof typeof DEV_SAMPLE_SITES;
