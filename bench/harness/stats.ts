import { performance } from 'node:perf_hooks';

/** Latency distribution of one measured operation, in milliseconds. */
export interface LatencyStats {
  /** Measured calls (warm-up excluded). */
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  /** Completed calls per second of wall-clock time over the measured phase. */
  throughput: number;
  /** In-flight calls kept while measuring. */
  concurrency: number;
  wallMs: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(latencies: number[], wallMs: number, concurrency: number): LatencyStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : NaN,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    throughput: wallMs > 0 ? (sorted.length * 1000) / wallMs : NaN,
    concurrency,
    wallMs,
  };
}

export interface MeasureOptions {
  /** Warm-up: at least this many calls and at least `warmupMs`, whichever takes longer (bounded by 4× warmupMs). */
  warmupCalls: number;
  warmupMs: number;
  /** Measured phase: stop after `maxCalls` calls or `maxMs`, but not before `minCalls` calls. */
  minCalls: number;
  maxCalls: number;
  maxMs: number;
  /** Calls kept in flight. */
  concurrency: number;
  /** Called once between the warm-up and the measured phase (e.g. to reset counters). */
  onMeasureStart?: () => void | Promise<void>;
  /** Called with each measured call's index and latency. */
  onSample?: (i: number, ms: number) => void;
}

export const DEFAULT_MEASURE: MeasureOptions = { warmupCalls: 20, warmupMs: 1000, minCalls: 30, maxCalls: 400, maxMs: 6000, concurrency: 1 };

/**
 * Run `call(i, worker)` repeatedly: a warm-up (worker 0), then a measured phase with
 * `concurrency` workers each keeping one call in flight (worker 0 .. concurrency-1).
 * A call may return its own latency in ms (e.g. an HTTP client that stops the clock when the
 * body has arrived, before parsing it); otherwise the time around the call is used.
 */
export async function measure(call: (i: number, worker: number) => Promise<number | void>, options: Partial<MeasureOptions> = {}): Promise<LatencyStats> {
  const o = { ...DEFAULT_MEASURE, ...options };
  let i = 0;
  let measuring = false;
  const timed = async (worker = 0): Promise<number> => {
    const index = i++;
    const started = performance.now();
    const own = await call(index, worker);
    const ms = typeof own === 'number' ? own : performance.now() - started;
    if (measuring) o.onSample?.(index, ms);
    return ms;
  };

  // Warm-up, sequential.
  const warmStart = performance.now();
  for (let w = 0; ; w++) {
    const elapsed = performance.now() - warmStart;
    if ((w >= o.warmupCalls && elapsed >= o.warmupMs) || (w > 0 && elapsed >= o.warmupMs * 4)) break;
    await timed();
  }

  await o.onMeasureStart?.();
  measuring = true;
  const latencies: number[] = [];
  const started = performance.now();
  const more = () => latencies.length + inFlight < o.maxCalls && (performance.now() - started < o.maxMs || latencies.length + inFlight < o.minCalls);
  let inFlight = 0;
  const worker = async (_: unknown, w: number) => {
    while (more()) {
      inFlight++;
      try {
        latencies.push(await timed(w));
      } finally {
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return summarize(latencies, performance.now() - started, o.concurrency);
}

export const round = (value: number, digits = 1) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
