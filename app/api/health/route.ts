import { json, withProblems } from '@/lib/http/route';
import { getDatabase } from '@/lib/server/database';

export const dynamic = 'force-dynamic';

/** Public: which database engine serves the app; 503 problem when it cannot be reached. */
export const GET = withProblems(async () => {
  const { store } = await getDatabase();
  await store.ping();
  return json({ status: 'ok', database: { engine: store.engine } });
});
