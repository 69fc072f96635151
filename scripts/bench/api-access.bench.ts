/**
 * The bench build's stand-in for lib/http/api-access.ts (next.config.mjs aliases it when
 * WIX_BENCH_BUILD=1): the product's lists plus the bench-only public route, so the bench-only
 * path never appears in the product's gate.
 */
export { SERVER_API_PATHS } from '../../lib/http/api-access';
import { PUBLIC_API_PATHS as PRODUCT_PUBLIC_API_PATHS } from '../../lib/http/api-access';

export const PUBLIC_API_PATHS: readonly string[] = [
  ...PRODUCT_PUBLIC_API_PATHS,
  '/api/bench/floor',
];
