/**
 * Two sample sites for the demo, so it can show that instances are kept apart. Only ids and
 * labels: safe to import from client components (the development secret is in
 * src/config/dev-credentials.ts, which no client code imports).
 */
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

export function parseDevSampleSite(value: string | null): DevSampleSite | null {
  return value === 'a' || value === 'b' ? value : null;
}
