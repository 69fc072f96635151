/**
 * A PostgreSQL database of one test file's own, on the server TEST_DATABASE_URL names: created
 * before the file's tests, dropped after them. For the event-queue tests: a drain takes *any*
 * due event in its database (src/events/event-queue.ts, `claimNext`), so two test files draining
 * one shared database at once would run each other's events with their own handlers — a throwing
 * handler of one file would fail the other's events. Rows of other tests are never touched: the
 * database is dropped whole, and only the one this file created.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';

/** Inside a `describe` that runs only with TEST_DATABASE_URL: the private database's URL. */
export function usePrivatePostgres(label: string): () => string {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const name = `test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  let url: string | null = null;

  const admin = () => postgres(serverUrl!, { max: 1, onnotice: () => {} });
  beforeAll(async () => {
    if (!serverUrl) throw new Error('usePrivatePostgres needs TEST_DATABASE_URL');
    const client = admin();
    try {
      await client.unsafe(`create database "${name}"`);
    } finally {
      await client.end();
    }
    const parsed = new URL(serverUrl);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  });
  afterAll(async () => {
    if (!url) return;
    const client = admin();
    try {
      // FORCE: a connection a killed child left behind must not keep the database alive.
      await client.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await client.end();
    }
  });
  return () => {
    if (!url) throw new Error('the private database was not created (see the beforeAll error)');
    return url;
  };
}
