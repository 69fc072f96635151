/**
 * Every route file under app/, checked with no test of its own (the package's
 * describeRouteInventory, wix-app-backend/testing/route-inventory): each HTTP method it exports is
 * made with `route`, `publicRoute` or `serverRoute`, its access agrees with lib/wix-app.ts's
 * `publicPaths` and `serverPaths`, and an authenticated one refuses a request without a valid
 * credential before reading its body. A route added later is picked up with no edit here
 * (docs/adding-a-route.md, docs/decisions/017-no-hidden-lists.md).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  describeRouteInventory,
  findRouteFiles,
  routeUrl,
} from 'wix-app-backend/testing/route-inventory';
import { wixApp } from '@/lib/wix-app';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

await describeRouteInventory({ root: ROOT, app: wixApp });

describe("this app's route files", () => {
  it('are found in route groups too, and the bench-only routes are not', () => {
    const found = findRouteFiles(ROOT).map((file) => [file, routeUrl(file)?.path]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['app/api/health/route.ts', '/api/health'],
        ['app/api/me/route.ts', '/api/me'],
        ['app/(demo)/api/dev/instance/route.ts', '/api/dev/instance'],
        ['app/api/[...path]/route.ts', '/api/sample/path'],
        ['app/api/service-plugins/[...path]/route.ts', '/api/service-plugins/sample/path'],
      ]),
    );
    expect(found.filter(([file]) => file!.includes('bench'))).toEqual([]);
  });
});
