/**
 * The event queue from a shell (packages/wix-app-backend/src/events; docs/decisions/020-event-queue.md):
 *   npm run webhooks:failed              events whose handler gave up, and why
 *   npm run webhooks:retry -- <id>       puts one back and runs the queue
 *   npm run webhooks:drain               runs every event that is due now
 * They open the configured database: with PGlite, stop the server first (one process at a time).
 */
import { createAppContext } from 'wix-app-backend/app/context';
import { configOrReport, loadProjectEnv, run } from './lib/cli';

const USAGE = 'usage: tsx scripts/events.ts failed | retry <event id> | drain';

loadProjectEnv();

run(async () => {
  const [command, id, ...extra] = process.argv.slice(2);
  if (!command || extra.length > 0 || (command === 'retry') !== Boolean(id)) {
    console.error(USAGE);
    return 2;
  }
  const config = configOrReport();
  if (!config) return 1;
  const app = createAppContext(config);
  const database = await app.database();
  try {
    if (command === 'failed') {
      const failed = await database.eventQueue.list('failed');
      for (const event of failed) {
        console.log(
          `${event.id}  ${event.eventType}  instance ${event.instanceId}  ${event.attempts} tries  last: ${event.lastError ?? '?'}`,
        );
      }
      console.log(
        `${failed.length} failed event(s)${failed.length ? '; npm run webhooks:retry -- <id>' : ''}`,
      );
      return 0;
    }
    if (command === 'retry') {
      if (!(await database.eventQueue.retry(id!, new Date(app.now())))) {
        console.error(`no failed or pending event ${id}`);
        return 1;
      }
      const { done, failed } = await app.drainEvents();
      const event = await database.eventQueue.get(id!);
      console.log(`${id}: ${event?.status ?? 'gone'} (this run: ${done} done, ${failed} failed)`);
      return event?.status === 'done' ? 0 : 1;
    }
    if (command === 'drain') {
      const { done, failed } = await app.drainEvents();
      console.log(`${done} done, ${failed} failed`);
      return failed > 0 ? 1 : 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await database.close();
  }
});
