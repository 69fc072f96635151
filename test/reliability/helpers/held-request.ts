/**
 * Clients that misbehave on purpose, over raw sockets: a request whose head is sent at once and
 * whose body is sent later, slowly or never, on a connection the test holds open. And the memory
 * of a `next start` process tree, read from /proc (Linux only).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export interface StatusLine {
  /** 0 when the connection closed before a status line arrived. */
  status: number;
  /** Milliseconds from the moment the head was written. */
  ms: number;
}

export interface HeldRequest {
  readonly socket: Socket;
  /** Resolves when the status line arrives or the connection closes, whichever comes first. */
  readonly answer: Promise<StatusLine>;
  /** Resolves when the connection has closed (either side), with ms since the head was written. */
  readonly closed: Promise<number>;
  /** Everything the server sent so far (latin1). */
  text(): string;
  /** Writes more body bytes; false once the connection is gone. */
  write(bytes: Buffer | string): boolean;
  /** Writes one byte every `intervalMs` until the connection closes or `stop()` is called. */
  trickle(intervalMs?: number, byte?: string): { stop(): void; sent(): number };
  destroy(): void;
}

/**
 * Opens a connection, writes `head` (a request line and headers, ending in a blank line) and
 * `body` if given, and keeps the connection open: the caller decides what else to send.
 */
export function holdRequest(port: number, head: string, body?: Buffer | string): HeldRequest {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let started = performance.now();
  let received = '';
  let gone = false;
  let resolveAnswer: (value: StatusLine) => void = () => {};
  const answer = new Promise<StatusLine>((resolve) => (resolveAnswer = resolve));
  const closed = new Promise<number>((resolve) => {
    socket.on('close', () => {
      gone = true;
      const ms = performance.now() - started;
      resolveAnswer({ status: statusOf(received), ms });
      resolve(ms);
    });
  });
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    if (/^HTTP\/1\.[01] \d{3}/.test(received)) {
      resolveAnswer({ status: statusOf(received), ms: performance.now() - started });
    }
  });
  socket.on('connect', () => {
    started = performance.now();
    socket.write(head);
    if (body !== undefined && body.length > 0) socket.write(body);
  });
  return {
    socket,
    answer,
    closed,
    text: () => received,
    write: (bytes) => !gone && !socket.destroyed && socket.write(bytes),
    trickle(intervalMs = 1_000, byte = 'a') {
      let sent = 0;
      const timer = setInterval(() => {
        if (gone || socket.destroyed) return clearInterval(timer);
        socket.write(byte);
        sent++;
      }, intervalMs);
      void closed.then(() => clearInterval(timer));
      return { stop: () => clearInterval(timer), sent: () => sent };
    },
    destroy: () => socket.destroy(),
  };
}

function statusOf(text: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : 0;
}

/** The problem `code` in an answer's body, if the body arrived. */
export function problemCode(text: string): string | undefined {
  return /"code":"([a-z_]+)"/.exec(text)?.[1];
}

/** A response header's value from a raw answer (first occurrence, case-insensitive). */
export function rawHeader(text: string, name: string): string | undefined {
  const head = text.split('\r\n\r\n')[0] ?? '';
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase()) {
      return line.slice(colon + 1).trim();
    }
  }
  return undefined;
}

/** Waits until the server has sent something matching `pattern`, at most `ms`; true if it did. */
export async function untilReceived(
  held: HeldRequest,
  pattern: RegExp,
  ms = 1_000,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!pattern.test(held.text())) {
    if (performance.now() > deadline || held.socket.destroyed) return pattern.test(held.text());
    await sleep(10);
  }
  return true;
}

/** Resolves with `promise`'s value, or with `fallback` after `ms`. */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Memory of a server's process tree.

/**
 * The processes started with `NAME=value` in their environment. A test passes a unique
 * variable in the server's env (startNextServer passes it through); every process `next start`
 * spawns inherits it, so this finds the whole tree, the `next-server` process among it, without
 * the child's pid (NextServer does not expose it).
 */
export function processesTagged(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (environ.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

export interface ProcessMemory {
  pid: number;
  name: string;
  /** Process group, from /proc/<pid>/stat. */
  pgrp: number;
  rssKiB: number;
}

export function processMemory(pid: number): ProcessMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?';
    // stat: "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, name, pgrp: Number(fields[2]), rssKiB: rss ? Number(rss[1]) : 0 };
  } catch {
    return null;
  }
}

/** The summed VmRSS (MiB) of every process carrying the tag, and the processes themselves. */
export function treeRss(name: string, value: string): { mib: number; processes: ProcessMemory[] } {
  const processes = processesTagged(name, value)
    .map(processMemory)
    .filter((p): p is ProcessMemory => p !== null);
  const kib = processes.reduce((sum, p) => sum + p.rssKiB, 0);
  return { mib: kib / 1024, processes };
}
