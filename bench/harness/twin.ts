import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, type Config } from '../../src/config';
import { createGraphStore } from '../../src/graph/create-graph-store';
import type { GraphStore } from '../../src/graph/graph-store';
import type { Scalar, StateWrite } from '../../src/graph/types';
import { importTopology, type ImportReport } from '../../src/import/import-topology';
import { indexModel, loadTwinModel, type MetricDefinition, type ModelIndex } from '../../src/model/twin-model';
import { DEFAULT_SEED, mulberry32, syntheticLayout, syntheticTwin, type SyntheticLayout } from '../synthetic-twin';
import { ROOT } from './processes';

export const SIZES: Record<string, number> = { '1k': 1_000, '10k': 10_000, '100k': 100_000 };

/** `1k`, `10k`, `100k`, or a whole number of assets. */
export function parseSize(raw: string): { label: string; assets: number } {
  if (SIZES[raw]) return { label: raw, assets: SIZES[raw] };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100) throw new Error(`--size must be 1k, 10k, 100k or a whole number of at least 100, got "${raw}"`);
  return { label: String(n), assets: n };
}

export function benchModel(): ModelIndex {
  return indexModel(loadTwinModel(process.env.TWIN_MODEL || undefined));
}

/** The store the environment configures (NEO4J_URI, else SQLite in `dataDir`). */
export async function openStore(dataDir: string, model: ModelIndex): Promise<{ store: GraphStore; config: Config }> {
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const store = createGraphStore(config, model);
  await store.init();
  return { store, config };
}

/** A fresh folder for the embedded store, under bench/tmp (removed at the end of the run). */
export function freshDataDir(label: string): string {
  const base = path.join(ROOT, 'bench', 'tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, `bench-${label}-`));
}

export interface LoadResult {
  assets: number;
  relationships: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  assetsPerSecond: number;
  relationshipsPerSecond: number;
  errors: number;
  batchSize: number;
}

/** Generate the seeded twin and load it through the bulk path (importTopology) into `store`. */
export async function loadTwin(store: GraphStore, model: ModelIndex, assets: number, batchSize = 2000): Promise<LoadResult> {
  const twin = syntheticTwin(assets, DEFAULT_SEED);
  const started = performance.now();
  const report: ImportReport = await importTopology(store, model, twin, { batchSize });
  const seconds = (performance.now() - started) / 1000;
  if (report.errorCount > 0) throw new Error(`the synthetic twin should load cleanly, got ${report.errorCount} errors: ${JSON.stringify(report.errors.slice(0, 3))}`);
  const rows = report.assets.written + report.relationships.written;
  return {
    assets: report.assets.written,
    relationships: report.relationships.written,
    rows,
    seconds,
    rowsPerSecond: rows / seconds,
    assetsPerSecond: (report.assets.received * 1000) / Math.max(1, report.assets.durationMs),
    relationshipsPerSecond: (report.relationships.received * 1000) / Math.max(1, report.relationships.durationMs),
    errors: report.errorCount,
    batchSize,
  };
}

/** What the benchmark needs to know about the twin, derived from the generator (no store reads). */
export interface TwinFacts {
  layout: SyntheticLayout;
  /** Every asset id, sorted as the store sorts them (binary order). */
  ids: string[];
  kindOf: Map<string, string>;
  ups: string[];
  pdus: string[];
  servers: string[];
}

export function twinFacts(assets: number): TwinFacts {
  const twin = syntheticTwin(assets, DEFAULT_SEED);
  const kindOf = new Map<string, string>();
  for (const a of twin.assets) kindOf.set(a.id, a.kind);
  const ids = [...kindOf.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ofKind = (kind: string) => ids.filter((id) => kindOf.get(id) === kind);
  return { layout: syntheticLayout(assets), ids, kindOf, ups: ofKind('UPS'), pdus: ofKind('PDU'), servers: ofKind('Server') };
}

/** A value the model accepts for a metric. */
export function metricValue(def: MetricDefinition, random: () => number): Scalar {
  if (def.type === 'boolean') return random() < 0.5;
  if (def.type === 'string') return def.values?.[0] ?? 'UP';
  const min = def.min ?? 0;
  const max = def.max ?? min + 100;
  return Math.round((min + random() * (max - min)) * 100) / 100;
}

/** Numeric metrics of each kind (a kind without declared metrics gets a free-form `value`). */
export function numericMetrics(model: ModelIndex, kind: string): MetricDefinition[] {
  const declared = model.metrics.get(kind);
  if (!declared || declared.size === 0) return [{ name: 'value', type: 'number', min: 0, max: 100 }];
  return [...declared.values()].filter((m) => m.type === 'number');
}

/**
 * Give every asset a full set of state values (one report per asset, all its declared metrics),
 * straight through the store, so dashboard pages carry realistic `state`. Observations are
 * stamped two hours ago, older than anything the benchmark reports later.
 */
export async function primeState(store: GraphStore, model: ModelIndex, facts: TwinFacts): Promise<{ reports: number; seconds: number }> {
  const random = mulberry32(DEFAULT_SEED ^ 0x1234);
  const observedAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const started = performance.now();
  let batch: StateWrite[] = [];
  let reports = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await store.applyState(batch, { eventRetentionMs: 3_600_000 });
    const notAccepted = outcomes.filter((o) => o.outcome !== 'ACCEPTED').length;
    if (notAccepted) throw new Error(`priming state: ${notAccepted} reports were not accepted (${JSON.stringify(outcomes.find((o) => o.outcome !== 'ACCEPTED'))})`);
    reports += batch.length;
    batch = [];
  };
  for (const id of facts.ids) {
    const kind = facts.kindOf.get(id)!;
    const declared = model.metrics.get(kind);
    const values: Record<string, Scalar> = {};
    if (declared && declared.size) for (const def of declared.values()) values[def.name] = metricValue(def, random);
    else values.value = Math.round(random() * 10000) / 100;
    batch.push({ assetId: id, observedAt, values });
    if (batch.length >= 1000) await flush();
  }
  await flush();
  return { reports, seconds: (performance.now() - started) / 1000 };
}
