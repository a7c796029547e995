import type { Scalar } from '../graph/types';
import type { Bucket, BucketsQuery } from './history-store';

/**
 * Hourly rollups: what retention keeps of raw observations it removes, when rollups are on
 * (HISTORY_ROLLUP_RETENTION_DAYS). One rollup per (asset, metric, hour) holds what any bucket of
 * whole hours needs: counts, the numeric sum, min and max, and the first and last value with
 * their times. A bucket is then the merge of its raw part (observations still kept, including
 * late ones that arrived after their hour was rolled up) and its rollup part: the two never hold
 * the same observation, since retention deletes what it rolls up in the same transaction.
 */
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

/** Whether rollups can serve a query: buckets of whole hours starting on an hour. */
export const rollupsServe = (q: BucketsQuery) => q.everySeconds % 3600 === 0 && Date.parse(q.from) % HOUR_MS === 0;

/** The start (ms) of the bucket of `q` that the hour starting at `hour` falls in. */
export function bucketStartOf(q: BucketsQuery, hour: number): number {
  const from = Date.parse(q.from);
  const width = q.everySeconds * 1000;
  return from + Math.floor((hour - from) / width) * width;
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
