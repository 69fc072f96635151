/** The printed table, the targets and docs/benchmarks.md. */
import os from 'node:os';
import type { LoadResult } from './load';

export interface Row {
  name: string;
  result: LoadResult | null;
  note?: string;
}

export interface Target {
  name: string;
  ratio: number | null;
  min: number;
  /** Printed with the ratio, e.g. "3 ÷ 2". */
  formula: string;
  /** The lowest and highest per-round ratio, where the targets ran in rounds. */
  spread: [number, number] | null;
}

/**
 * A latency ceiling rather than a ratio: a measured time against the most it may be, printed
 * beside the budget it exists for (the service-plugin call's p99 beside Wix's 3 s).
 */
export interface LatencyTarget {
  name: string;
  ms: number | null;
  max: number;
  /** Says where `max` comes from, e.g. "half the handler's 2,500 ms deadline". */
  maxReason: string;
  budget: { name: string; ms: number };
}

const num = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function otherStatuses(result: LoadResult): string {
  const parts = Object.entries(result.statuses)
    .filter(([status]) => status !== '200')
    .map(([status, count]) => `${status}×${count}`);
  if (result.errors) parts.push(`errors×${result.errors}`);
  if (result.timeouts) parts.push(`timeouts×${result.timeouts}`);
  return parts.join(' ');
}

export function table(rows: Row[]): string[] {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'non-200'];
  const body = rows.map((row) =>
    row.result
      ? [
          row.name,
          num(row.result.rps),
          num(row.result.p50, 1),
          num(row.result.p99, 1),
          row.result.cpuUsPerRequest === null ? 'n/a' : num(row.result.cpuUsPerRequest),
          otherStatuses(row.result) || '—',
        ]
      : [row.name, 'skipped', '', '', '', row.note ?? ''],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
  ];
}

export function ratio(a: LoadResult | null | undefined, b: LoadResult | null | undefined) {
  return a && b && b.rps > 0 ? a.rps / b.rps : null;
}

/** Per-round ratios of two targets measured in the same rounds: [lowest, highest]. */
export function roundRatios(
  a: LoadResult | null | undefined,
  b: LoadResult | null | undefined,
): [number, number] | null {
  if (!a || !b || a.rounds.length < 2 || a.rounds.length !== b.rounds.length) return null;
  const ratios = a.rounds.map((rps, i) => rps / (b.rounds[i] || Number.NaN));
  if (ratios.some((r) => !Number.isFinite(r))) return null;
  return [Math.min(...ratios), Math.max(...ratios)];
}

export const verdict = (t: Target) =>
  t.ratio === null ? 'n/a' : t.ratio >= t.min ? 'PASS' : 'MISS';

export function targetLines(targets: Target[]): string[] {
  return targets.map(
    (t) =>
      `${verdict(t).padEnd(4)}  ${t.name}: ${t.formula} = ${t.ratio === null ? 'n/a' : t.ratio.toFixed(3)} (target ≥ ${+t.min.toFixed(3)})${t.spread ? `; rounds ${t.spread[0].toFixed(2)}–${t.spread[1].toFixed(2)}` : ''}`,
  );
}

export const latencyVerdict = (t: LatencyTarget) =>
  t.ms === null ? 'n/a' : t.ms <= t.max ? 'PASS' : 'MISS';

export function latencyTargetLines(targets: LatencyTarget[]): string[] {
  return targets.map(
    (t) =>
      `${latencyVerdict(t).padEnd(4)}  ${t.name}: ${t.ms === null ? 'n/a' : `${num(t.ms, 1)} ms`} beside ${t.budget.name}'s ${num(t.budget.ms)} ms (target ≤ ${num(t.max)} ms, ${t.maxReason})`,
  );
}

export function machine(): string[] {
  const cpus = os.cpus();
  return [
    `- OS: ${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    `- CPUs: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}`,
    `- Memory: ${num(os.totalmem() / 1024 ** 3, 1)} GiB`,
    `- Node: ${process.version}`,
    `- Date: ${new Date().toISOString()}`,
  ];
}
