import type { Scalar } from '../graph/types';
import type { Bucket, BucketsQuery } from './history-store';

/**
 * Rollups: one row per (asset, metric, quarter hour) holding what any bucket of whole quarter
 * hours needs: counts, the numeric sum, min and max, and the first and last value with their
 * times. Recording an observation merges it into its quarter's rollup in the same transaction,
 * so a bucket query of whole quarters (`every` a multiple of 900 s) reads one rollup per quarter
 * inside one bucket instead of its observations, and raw observations only for the quarters that
 * `from`, `to` or a bucket boundary cuts (none when `from` and `to` are on quarters). Retention
 * deletes raw observations and keeps the rollups for HISTORY_ROLLUP_RETENTION_DAYS.
 *
 * Hourly rollups (HOUR_MS) are what retention wrote before quarters were kept at ingest: never
 * written now, still read for buckets of whole hours. They hold only observations that retention
 * deleted before quarters existed, quarters hold every other one, so the two never overlap.
 */
export const SLOT_MS = 900_000;
export const HOUR_MS = 3_600_000;

/** A bucket, or part of one, with what merging needs. Times in ms. */
export interface BucketPart {
  start: number;
  count: number;
  /** How many values were numbers, and their sum, min and max (null when none). */
  numCount: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  first: Scalar;
  firstAt: number;
  last: Scalar;
  lastAt: number;
}

/** Whether the hourly rollups of the past can serve a query: buckets of whole hours starting on an hour. */
export const hoursServe = (q: BucketsQuery) => q.everySeconds % 3600 === 0 && Date.parse(q.from) % HOUR_MS === 0;

/** The latest time a Date holds (ms): the end of a window without `to`. */
export const END_OF_TIME = 8.64e15;

/** Whether quarters can serve a query: buckets of whole quarters (`from` anywhere). */
export const quartersServe = (q: BucketsQuery) => q.everySeconds % (SLOT_MS / 1000) === 0;

/** A time range [from, to) of one asset's raw observations to bucket. */
export type RawRange = [assetId: string, from: number, to: number];

/**
 * The raw ranges of the quarters a bucket query cannot use whole (cut by `from`, `to` or a bucket
 * boundary: at most one per bucket, none when `from` and `to` are on quarters), clipped to the
 * window, adjacent ones joined (when every quarter is cut, one range per asset). `cut` is in
 * key order (asset, start).
 */
export function rawRangesOf(cut: { asset_id: string; start: number }[], from: number, to: number): RawRange[] {
  const ranges: RawRange[] = [];
  for (const { asset_id: assetId, start } of cut) {
    const last = ranges[ranges.length - 1];
    if (last && last[0] === assetId && last[2] === start) last[2] = Math.min(to, start + SLOT_MS);
    else ranges.push([assetId, Math.max(from, start), Math.min(to, start + SLOT_MS)]);
  }
  return ranges;
}

const smaller = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const larger = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** One part from two of the same bucket. */
export function mergeParts(a: BucketPart, b: BucketPart): BucketPart {
  const first = a.firstAt <= b.firstAt ? a : b;
  const last = a.lastAt >= b.lastAt ? a : b;
  return {
    start: a.start,
    count: a.count + b.count,
    numCount: a.numCount + b.numCount,
    sum: a.sum === null ? b.sum : b.sum === null ? a.sum : a.sum + b.sum,
    min: smaller(a.min, b.min),
    max: larger(a.max, b.max),
    first: first.first,
    firstAt: first.firstAt,
    last: last.last,
    lastAt: last.lastAt,
  };
}

/** Per asset, the buckets made of all its parts (any order), oldest first. */
export function bucketsOf(parts: Map<string, BucketPart[]>): Map<string, Bucket[]> {
  const out = new Map<string, Bucket[]>();
  for (const [assetId, list] of parts) {
    const byStart = new Map<number, BucketPart>();
    for (const part of list) {
      const seen = byStart.get(part.start);
      byStart.set(part.start, seen ? mergeParts(seen, part) : part);
    }
    out.set(
      assetId,
      [...byStart.values()]
        .sort((a, b) => a.start - b.start)
        .map((p) => ({ start: new Date(p.start).toISOString(), count: p.count, avg: p.numCount ? p.sum! / p.numCount : null, min: p.min, max: p.max, first: p.first, last: p.last })),
    );
  }
  return out;
}

/** The start (ms) of the quarter an ISO time falls in. */
export const quarterOf = (iso: string) => Math.floor(Date.parse(iso) / SLOT_MS) * SLOT_MS;

/** A rollup row's key and content. */
export interface Rollup {
  assetId: string;
  metric: string;
  part: BucketPart;
}

const quarterKey = (assetId: string, metric: string, start: number) => `${assetId}\u0000${metric}\u0000${start}`;

/** The distinct quarters (asset, metric, start ms) these observations fall in. */
export function quarterKeysOf(keys: { assetId: string; metric: string; observedAt: string }[]): { assetId: string; metric: string; start: number }[] {
  const byKey = new Map<string, { assetId: string; metric: string; start: number }>();
  for (const k of keys) {
    const start = quarterOf(k.observedAt);
    byKey.set(quarterKey(k.assetId, k.metric, start), { assetId: k.assetId, metric: k.metric, start });
  }
  return [...byKey.values()];
}

/** The observations' quarter rollups (one per asset, metric and quarter), for merging into those kept. */
export function quartersOf(observations: { assetId: string; metric: string; observedAt: string; value: Scalar }[]): Rollup[] {
  const byKey = new Map<string, Rollup>();
  for (const o of observations) {
    const at = Date.parse(o.observedAt);
    const start = quarterOf(o.observedAt);
    const num = typeof o.value === 'number' ? o.value : null;
    const part: BucketPart = { start, count: 1, numCount: num === null ? 0 : 1, sum: num, min: num, max: num, first: o.value, firstAt: at, last: o.value, lastAt: at };
    const key = quarterKey(o.assetId, o.metric, start);
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, part: mergeParts(seen.part, part) } : { assetId: o.assetId, metric: o.metric, part });
  }
  return [...byKey.values()];
}
