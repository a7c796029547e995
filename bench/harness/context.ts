import type { GraphStore } from '../../src/graph/graph-store';
import type { ModelIndex } from '../../src/model/twin-model';
import type { HttpClient } from './http-client';
import type { BenchServer } from './processes';
import type { BenchReport } from './report';
import type { MeasureOptions } from './stats';
import type { StoreMeter } from './store-meter';
import type { TwinFacts } from './twin';

export const ALL_PARTS = ['a', 'b', 'c', 'd', 'e', 'f', 'history', 'peer', 'live'] as const;
export type Part = (typeof ALL_PARTS)[number];

export interface BenchOptions {
  size: { label: string; assets: number };
  parts: Part[];
  /** Measured-phase limits for each latency measurement. */
  measure: Partial<MeasureOptions>;
  /** In-flight requests for the throughput runs of (a)-(c). */
  concurrency: number;
  /** reportState records per mutation, NDJSON lines per POST, in-flight ingest requests, seconds per ingest path. */
  ingest: { batch: number; ndjsonLines: number; concurrency: number; seconds: number; valuesPerReport: number; eventIds: boolean };
  /** runScenario submissions measured, and how IMPACT runs are scoped. */
  scenarios: { submissions: number; scope: 'roots' | 'twin'; reliabilitySamples: number; reliabilityRuns: number };
  live: { rate: number; subscribers: number; seconds: number; mode: 'fanout' | 'partition' | 'reconnect'; batchMs: number; slices: number; awaySeconds: number };
  /** Write V8 CPU profiles of the server processes (and their engine threads) under bench/tmp/profiles/. */
  profile: boolean;
  /** Keep the store folder instead of deleting it. */
  keep: boolean;
  skipNaive: boolean;
  importBatchSize: number;
  /** Added to the result file's name, to keep several runs of the same parts apart. */
  tag?: string;
  /** `neo4j`: bench Neo4j, started by the bench (neo4j-local/) unless NEO4J_URI names one. */
  store: 'sqlite' | 'neo4j';
  /** Heap and page cache of the Neo4j the bench starts. */
  neo4jLocal: { heap: string; pageCacheMb: number };
  /**
   * Seconds the query parts (and the peer) run their requests before they measure anything:
   * default 20 on Neo4j, whose JVM compiles its hot paths only after about a thousand calls
   * (the per-path warm-up of `measure` is far shorter), 0 on SQLite.
   */
  warmupSeconds: number;
}

/** A monotonic observation clock: each call is at least 1 ms after the previous one, starting an hour ago. */
export class ObservationClock {
  private t = Date.now() - 3_600_000;
  next(): string {
    this.t += 1;
    return new Date(this.t).toISOString();
  }
}

export interface BenchContext {
  options: BenchOptions;
  model: ModelIndex;
  facts: TwinFacts;
  /** The floor's own connection to the store, metered. */
  store: GraphStore;
  floorMeter: StoreMeter;
  server: BenchServer;
  client: HttpClient;
  report: BenchReport;
  clock: ObservationClock;
  /** Env of the server processes (DATA_DIR, REDIS_URL...). */
  serverEnv: Record<string, string | undefined>;
  /** Node flags of the server processes (profiling). */
  nodeFlags: (label: string) => string[];
}
