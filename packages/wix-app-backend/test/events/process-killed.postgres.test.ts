/**
 * A process killed in the middle of an event handler (docs/decisions/020-event-queue.md): a child
 * process (fixtures/claim-and-hang.ts) claims the event from the same PostgreSQL and hangs in its
 * handler — before its transaction, or inside it after the effect's insert — and is killed with
 * SIGKILL. It commits nothing; once its lease is over, this process runs the event, and the effect
 * happens once. PostgreSQL only: an embedded PGlite cannot be shared between processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAppDatabase, type AppDatabase } from '../../src/app/database';
import { businessEventData } from '../../src/dev/sign-webhook';
import { createEventProcessor } from '../../src/events/processor';
import { toWixEvent } from '../../src/events/wix-event';
import { createLogger } from '../../src/log';
import { forInstance } from '../../src/wix/app-client';
import { usePrivatePostgres } from '../../src/testing/private-postgres';
import { countEffect, readEffects } from '../fixtures/effects';
import { createFixtureTables } from '../fixtures/tables';

const FIXTURE = fileURLToPath(new URL('./fixtures/claim-and-hang.ts', import.meta.url));
const ORDER_CREATED = 'wix.ecom.v1.order_created';
/** Short, in the child and here, so the take-over comes soon. */
const LEASE_MS = 3_000;
/** A child that does not get to its handler in this long fails the test instead of hanging it. */
const CHILD_TIMEOUT_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  'an event whose process was killed mid-handler (PostgreSQL)',
  () => {
    const url = usePrivatePostgres('killed_handler');
    let database: AppDatabase;
    beforeAll(async () => {
      database = await openAppDatabase({ databaseUrl: url(), dataDir: 'unused' });
      await createFixtureTables(database.db);
    });
    afterAll(async () => {
      await database?.close();
    });

    const children = new Set<ChildProcess>();
    afterEach(() => {
      for (const child of children) child.kill('SIGKILL');
    });

    /** Starts the child; resolves with its first line, once its handler got there. */
    function startChild(mode: 'before' | 'inside'): Promise<{ child: ChildProcess; line: string }> {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', FIXTURE, url(), String(LEASE_MS), mode],
        { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.add(child);
      child.on('exit', () => children.delete(child));
      let stdout = '';
      let stderr = '';
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the child did not reach its handler in time: ${stderr}`));
        }, CHILD_TIMEOUT_MS);
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdout!.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const end = stdout.indexOf('\n');
          if (end >= 0) {
            clearTimeout(timer);
            resolve({ child, line: stdout.slice(0, end) });
          }
        });
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`the child exited (${code ?? signal}) before its handler: ${stderr}`));
        });
      });
    }

    async function kill(child: ChildProcess): Promise<void> {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }

    /** An order_created event for a new site, queued as the webhook route queues it. */
    async function enqueueOrder() {
      const instanceId = randomUUID();
      const at = new Date();
      await database.instances.recordSeen(instanceId, at.getTime());
      const event = toWixEvent({
        eventType: ORDER_CREATED,
        instanceId,
        data: businessEventData(ORDER_CREATED, { at }),
        identity: null,
        accountInfo: null,
        occurredAt: at,
        expiresAt: new Date(at.getTime() + 3_600_000),
      });
      const id = randomUUID();
      await database.db.transaction((tx) =>
        database.eventQueue.enqueue(tx, { id, instanceId, event, at }),
      );
      return { id, instanceId };
    }

    /** This process's run of the queue, with the real handler. */
    const drain = () =>
      createEventProcessor({
        db: database.db,
        queue: database.eventQueue,
        handlers: { [ORDER_CREATED]: countEffect },
        wixFor: (instanceId) =>
          forInstance(async () => Promise.reject(new Error('no Wix here')), instanceId),
        log: createLogger('silent'),
        now: Date.now,
        leaseMs: LEASE_MS,
      }).drain();

    const effectsOf = (instanceId: string) => readEffects({ instanceId, db: database.db });
    const statusOf = async (id: string) => {
      const item = await database.eventQueue.get(id);
      return item && { status: item.status, attempts: item.attempts };
    };

    it(
      'runs the event once more, after the lease, when its process died before the transaction',
      async () => {
        const { id, instanceId } = await enqueueOrder();
        const { child, line } = await startChild('before');
        expect(line).toBe(`claimed ${instanceId} 1`);
        await kill(child);
        expect(await statusOf(id)).toEqual({ status: 'pending', attempts: 1 });

        // Leased by the dead process: nobody takes it before the lease is over.
        const claimedAt = Date.now();
        expect(await drain()).toEqual({ done: 0, failed: 0 });
        await sleep(Math.max(0, claimedAt + LEASE_MS - Date.now()));
        await vi.waitFor(async () => expect(await drain()).toEqual({ done: 1, failed: 0 }), {
          timeout: 2 * LEASE_MS,
          interval: 100,
        });
        expect(await effectsOf(instanceId)).toBe(1);
        expect(await statusOf(id)).toEqual({ status: 'done', attempts: 2 });

        expect(await drain()).toEqual({ done: 0, failed: 0 });
        expect(await effectsOf(instanceId)).toBe(1);
      },
      3 * CHILD_TIMEOUT_MS,
    );

    it(
      'commits nothing of a process killed inside its transaction, and runs the event again once',
      async () => {
        const { id, instanceId } = await enqueueOrder();
        const { child, line } = await startChild('inside');
        expect(line).toBe(`inside ${instanceId} 1`);
        // Inserted and marked done, uncommitted: invisible here.
        expect(await effectsOf(instanceId)).toBe(0);
        expect(await statusOf(id)).toEqual({ status: 'pending', attempts: 1 });

        await kill(child);
        const killedAt = Date.now();
        // PostgreSQL rolls the dead connection's transaction back.
        await vi.waitFor(async () => expect(await effectsOf(instanceId)).toBe(0));
        expect(await statusOf(id)).toEqual({ status: 'pending', attempts: 1 });

        await sleep(Math.max(0, killedAt + LEASE_MS - Date.now()));
        await vi.waitFor(async () => expect(await drain()).toEqual({ done: 1, failed: 0 }), {
          timeout: 2 * LEASE_MS,
          interval: 100,
        });
        expect(await effectsOf(instanceId)).toBe(1);
        expect(await statusOf(id)).toEqual({ status: 'done', attempts: 2 });

        expect(await drain()).toEqual({ done: 0, failed: 0 });
        expect(await effectsOf(instanceId)).toBe(1);
      },
      3 * CHILD_TIMEOUT_MS,
    );
  },
);
