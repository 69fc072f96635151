/**
 * CPU time a process has used, from /proc (Linux). Throughput on a shared machine moves with
 * whatever else runs; CPU per request is steadier, and it attributes cost to the server alone.
 */
import fs from 'node:fs';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

/** User + system CPU milliseconds of `pid`, or null where /proc is unavailable. */
export function cpuMillis(pid: number | undefined): number | null {
  if (pid === undefined || os.platform() !== 'linux') return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
