import { json, publicRoute } from '@/lib/http/route';

export const dynamic = 'force-dynamic';

/** Public: which database engine serves the app; 503 problem when it cannot be reached. */
export const GET = publicRoute(async (_request, app) => {
  const database = await app.database();
  await database.ping();
  return json({ status: 'ok', database: { engine: database.engine } });
});
