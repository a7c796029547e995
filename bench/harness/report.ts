import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { round, type LatencyStats } from './stats';

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

/** A fixed-width text table (console.table quotes strings and is hard to read in a log). */
export function formatTable(rows: Row[], columns?: string[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = (v: Cell) => (v === null || v === undefined ? '' : typeof v === 'number' ? formatNumber(v) : String(v));
  const cells = rows.map((r) => cols.map((c) => text(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = cols.map((c) => rows.every((r) => r[c] === undefined || r[c] === null || typeof r[c] === 'number'));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export interface LatencyRow {
  part: string;
  operation: string;
  path: string;
  stats: LatencyStats;
  /** Store calls per operation, e.g. "3 (getAssets 1, listAssets 1, relationshipsOf 1)". */
  storeCalls?: string;
  note?: string;
}

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  status: 'PASS' | 'MISS' | 'n/a';
  note?: string;
}

export interface MachineInfo {
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  store: string;
  /** Where state history went: sqlite (history.sqlite) or postgres (HISTORY_URL). */
  history: string;
  pubsub: string;
  queue: string;
}

export function machineInfo(backends: { store: string; history: string; pubsub: string; queue: string }): MachineInfo {
  return {
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1073741824) * 10) / 10,
    node: process.version,
    ...backends,
  };
}

/** Everything one run measured, printed as tables and written as JSON. */
export class BenchReport {
  readonly latencies: LatencyRow[] = [];
  readonly ratios: Row[] = [];
  readonly goals: Goal[] = [];
  /** Per-part results that are not latency distributions (load, ingestion, scenarios, live). */
  readonly sections: Record<string, { title: string; rows: Row[]; details?: unknown }> = {};
  readonly notes: string[] = [];
  /** Extra top-level entries of the result file (e.g. `peer`: the library and version part peer ran). */
  readonly meta: Record<string, unknown> = {};

  addLatency(row: LatencyRow): void {
    this.latencies.push(row);
    const s = row.stats;
    process.stderr.write(
      `  ${row.part} ${row.operation} [${row.path}${s.concurrency > 1 ? ` c=${s.concurrency}` : ''}]: p50 ${round(s.p50, 2)} ms, p95 ${round(s.p95, 2)} ms, p99 ${round(s.p99, 2)} ms, ${round(s.throughput, 1)}/s (n=${s.n})\n`,
    );
  }

  addSection(key: string, title: string, rows: Row[], details?: unknown): void {
    this.sections[key] = { title, rows, details };
  }

  latencyTable(): Row[] {
    return this.latencies.map((r) => ({
      part: r.part,
      operation: r.operation,
      path: r.path,
      c: r.stats.concurrency,
      n: r.stats.n,
      'p50 ms': round(r.stats.p50, 2),
      'p95 ms': round(r.stats.p95, 2),
      'p99 ms': round(r.stats.p99, 2),
      'mean ms': round(r.stats.mean, 2),
      'ops/s': round(r.stats.throughput, 1),
      'store calls/op': r.storeCalls ?? '',
      note: r.note ?? '',
    }));
  }

  print(header: string): void {
    const out: string[] = ['', header, ''];
    for (const key of ['load', 'prime']) {
      const s = this.sections[key];
      if (s) out.push(`== ${s.title}`, formatTable(s.rows), '');
    }
    if (this.latencies.length) out.push('== Latency (HTTP over loopback unless path says store; client-side JSON parsing excluded)', formatTable(this.latencyTable()), '');
    if (this.ratios.length) out.push('== Ratios', formatTable(this.ratios), '');
    for (const [key, s] of Object.entries(this.sections)) {
      if (key === 'load' || key === 'prime') continue;
      out.push(`== ${s.title}`, formatTable(s.rows), '');
    }
    if (this.goals.length) out.push('== Goals', formatTable(this.goals as unknown as Row[], ['goal', 'target', 'measured', 'status', 'note']), '');
    if (this.notes.length) out.push('== Notes', ...this.notes.map((n) => `- ${n}`), '');
    process.stdout.write(`${out.join('\n')}\n`);
  }

  write(file: string, meta: Record<string, unknown>): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const json = {
      ...meta,
      ...this.meta,
      latency: this.latencies.map((r) => ({ ...r, stats: roundStats(r.stats) })),
      ratios: this.ratios,
      sections: this.sections,
      goals: this.goals,
      notes: this.notes,
    };
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  }
}

function roundStats(s: LatencyStats): LatencyStats {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v, 3)])) as unknown as LatencyStats;
}

export function goal(goalName: string, target: string, measured: string, ok: boolean | null, note?: string): Goal {
  return { goal: goalName, target, measured, status: ok === null ? 'n/a' : ok ? 'PASS' : 'MISS', note };
}
