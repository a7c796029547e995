import type { Scalar } from '../graph/types';

/**
 * State history: every observation `(asset, metric, observedAt, value)` that passed validation,
 * kept once per key, queried as pages, buckets and point-in-time state. Its own database (an
 * SQLite file beside the twin's, or PostgreSQL), never the graph store: topology lives in the
 * graph, observations here.
 */
export interface Observation {
  assetId: string;
  metric: string;
  /** ISO-8601, UTC, milliseconds. */
  observedAt: string;
  value: Scalar;
}

/** The key of an observation; a repeat of a key is kept once. */
export type ObservationKey = Pick<Observation, 'assetId' | 'metric' | 'observedAt'>;

export interface SamplesQuery {
  assetId: string;
  /** Empty: every metric. */
  metrics: string[];
  /** ISO-8601; `from` inclusive, `to` exclusive (none: up to now and beyond). */
  from: string;
  to?: string;
  limit: number;
  /** Keyset: the (observedAt, metric) of the last sample of the previous page. */
  after?: { observedAt: string; metric: string };
}

export interface Sample {
  metric: string;
  observedAt: string;
  value: Scalar;
}

export interface BucketsQuery {
  assetIds: string[];
  metric: string;
  from: string;
  to?: string;
  /** Bucket width in seconds; buckets start at `from`. */
  everySeconds: number;
  /**
   * Whether each bucket's first and last value are wanted (default true). Finding them is most
   * of a bucket query's work in PostgreSQL; without them they come back null.
   */
  ends?: boolean;
}

/** One non-empty bucket; `avg`, `min`, `max` over the numeric values only (null when none). */
export interface Bucket {
  start: string;
  count: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  first: Scalar;
  last: Scalar;
}

export interface HistoryStore {
  readonly backend: 'sqlite' | 'postgres';
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws when the history database cannot be reached (readiness). */
  ping(): Promise<void>;
  /** Keep these observations (one per key; a repeat of a key keeps the first), merged into their quarter's rollup; returns the keys that were new. */
  record(observations: Observation[]): Promise<ObservationKey[]>;
  /** Remove these keys (observations recorded for reports that turned out not to be kept). */
  forget(keys: ObservationKey[]): Promise<void>;
  /** One asset's samples, oldest first (then by metric), at most `limit`. */
  samples(query: SamplesQuery): Promise<Sample[]>;
  /** Per asset, its non-empty buckets of one metric, oldest first, computed in the database. */
  buckets(query: BucketsQuery): Promise<Map<string, Bucket[]>>;
  /** Per metric, the latest value observed at or before `asOf`. */
  stateAt(assetId: string, asOf: string): Promise<Record<string, Scalar>>;
  /** Per asset (of those that have one), the latest value of `metric` observed at or before `asOf`. */
  valuesAt(assetIds: string[], metric: string, asOf: string): Promise<Map<string, Scalar>>;
  /**
   * Remove observations older than `before`; returns how many went. Their quarter-hour rollups
   * (see bucket-parts.ts; kept as observations are recorded) go with them, or with `rollupsBefore`
   * those before `rollupsBefore` go instead: `buckets` of whole quarters use the rollups where raw
   * observations are gone.
   */
  prune(before: string, rollupsBefore?: string): Promise<number>;
}
