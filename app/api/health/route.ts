import { json, withProblems } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Public liveness check. */
export const GET = withProblems(async () => json({ status: 'ok' }));
