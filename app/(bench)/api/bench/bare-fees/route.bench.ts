/**
 * Benchmark-only (exists when WIX_BENCH_BUILD=1, see next.config.mjs): the fees handler without
 * the service-plugin entry (./bare-fees.ts says what it does and leaves out). Server to server,
 * like the entry it is measured against, so it is in the bench build's `serverPaths`.
 */
import { serverRoute } from '@/lib/wix-app';
import { bareFees } from './bare-fees';

export const dynamic = 'force-dynamic';

export const POST = serverRoute(bareFees);
