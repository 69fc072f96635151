/**
 * A PostgreSQL cluster of one test file's own: its own data folder, port and server process,
 * made with the binaries `scripts/with-postgres.sh` found (TEST_PG_BIN) and started with the same
 * options. For a test that stops and starts the server (a PostgreSQL outage): on the shared
 * cluster it would take every other file's database down with it, so it had to run alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** `pg_ctl stop -m fast`: connections are closed, the server is gone until start(). */
  stop(): void;
  start(): void;
  isRunning(): boolean;
  /** Stops the server if it runs and deletes the cluster. */
  remove(): void;
}

/** Runs a PostgreSQL binary as the cluster's owner: initdb refuses root, so root runs as postgres. */
function asOwner(binary: string, args: string[]): void {
  const [command, argv] =
    process.getuid?.() === 0
      ? ['runuser', ['-u', 'postgres', '--', binary, ...args]]
      : [binary, args];
  execFileSync(command, argv, { stdio: 'ignore', timeout: 60_000 });
}

/** A new cluster, started. Needs TEST_PG_BIN (run under `bash scripts/with-postgres.sh`). */
export async function createPostgresCluster(label: string): Promise<PostgresCluster> {
  const bin = process.env.TEST_PG_BIN;
  if (!bin)
    throw new Error('createPostgresCluster needs TEST_PG_BIN (bash scripts/with-postgres.sh)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pg-${label}-`));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const pgCtl = (args: string[]) => asOwner(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c max_connections=200 -c fsync=off`;

  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => pgCtl(['-m', 'fast', '-w', '-t', '30', 'stop']),
    start: () => pgCtl(['-l', path.join(dir, 'log'), '-w', '-t', '30', '-o', options, 'start']),
    isRunning() {
      try {
        pgCtl(['status']);
        return true;
      } catch {
        return false;
      }
    },
    remove() {
      if (cluster.isRunning()) pgCtl(['-m', 'immediate', 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    asOwner(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres']);
    cluster.start();
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}
