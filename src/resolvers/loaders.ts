import DataLoader from 'dataloader';
import type { GraphStore } from '../graph/graph-store';
import type { Bucket, HistoryStore } from '../history/history-store';
import { reachable } from '../graph/traversal';
import type { ScenarioRunRecord, SimulationResultRecord } from '../graph/scenario-types';
import type { TopologyReader } from '../graph/ports/topology-store';
import type { AssetSummary, DependencySide, Direction } from '../graph/types';
import type { AssetParent, HopParent, RelationshipParent } from './parents';
import type { AssetNeed } from './selection';

/**
 * Per-request batching: every asset, relationship list and traversal asked for while resolving
 * one request (or one subscription event) is fetched in one store call per kind of question.
 */
export interface Loaders {
  asset: DataLoader<string, AssetParent | null>;
  /** Id, kind and name only: for endpoints and impact entries when the query selects no more (the topology index has them in memory). */
  summary: DataLoader<string, AssetParent | null>;
  /** Relationships of each asset; without `properties` their properties are left empty (not selected). */
  relationships(direction: Direction, types?: string[], properties?: boolean): DataLoader<string, RelationshipParent[]>;
  /** Transitive suppliers or consumers, with as much of every hop's asset as `need` says. */
  reachable(side: DependencySide, maxDepth: number, types?: string[], need?: AssetNeed): DataLoader<string, HopParent[]>;
  run: DataLoader<string, ScenarioRunRecord | null>;
  /** An asset's results from its newest succeeded runs. */
  scenarioResults(last: number): DataLoader<string, SimulationResultRecord[]>;
  /** Buckets of one metric over one window, for every asset asked in the request at once (dashboards ask for many). */
  historyBuckets(metric: string, from: string, to: string | undefined, everySeconds: number, ends: boolean): DataLoader<string, Bucket[]>;
}

/** One loader per distinct set of arguments, made on first use. */
function memo<A extends unknown[], T>(make: (...args: A) => DataLoader<string, T>): (...args: A) => DataLoader<string, T> {
  const cache = new Map<string, DataLoader<string, T>>();
  return (...args) => {
    const key = JSON.stringify(args);
    let loader = cache.get(key);
    if (!loader) cache.set(key, (loader = make(...args)));
    return loader;
  };
}

/**
 * Most assets one store call loads: a response naming thousands (an impact report) loads them in
 * several calls, between which the embedded store lets other requests in.
 */
const STORE_BATCH = 1000;

/**
 * Topology reads from somewhere else than `store`: an asOf view (see as-of.ts). What the loaders
 * return then carries `asOf`.
 */
export interface TopologySource {
  topology: TopologyReader;
  asOf: string;
}

export function createLoaders(store: GraphStore, history: HistoryStore, source?: TopologySource): Loaders {
  const topology = source?.topology ?? store;
  // Under asOf, everything returned says so (one copy per object; never done for current reads).
  const stamp = source ? <T extends object>(item: T): T => ({ ...item, asOf: source.asOf }) : <T>(item: T) => item;
  const stampAll = source ? <T extends object>(items: (T | null)[]) => items.map((item) => item && stamp(item)) : <T>(items: T) => items;
  return {
    asset: new DataLoader(async (ids) => stampAll(await topology.getAssets([...ids])), { maxBatchSize: STORE_BATCH }),
    // A summary stands in for the record: the query selects nothing of the asset that it lacks.
    summary: new DataLoader(async (ids) => stampAll((await topology.getAssetSummaries([...ids])) as (AssetParent | null)[]), { maxBatchSize: STORE_BATCH }),
    relationships: memo((direction: Direction, types?: string[], properties = true) =>
      new DataLoader(async (ids: readonly string[]) => {
        const byId = await topology.relationshipsOf([...ids], direction, types, { properties });
        return ids.map((id) => (byId.get(id) ?? []).map(stamp));
      }),
    ),
    run: new DataLoader((ids) => store.getRuns([...ids])),
    scenarioResults: memo((last: number) =>
      new DataLoader(async (ids: readonly string[]) => {
        const byId = await store.resultsForAssets([...ids], last);
        return ids.map((id) => byId.get(id) ?? []);
      }),
    ),
    historyBuckets: memo((metric: string, from: string, to: string | undefined, everySeconds: number, ends: boolean) =>
      new DataLoader(async (ids: readonly string[]) => {
        const byId = await history.buckets({ assetIds: [...ids], metric, from, to, everySeconds, ends });
        return ids.map((id) => byId.get(id) ?? []);
      }, { maxBatchSize: STORE_BATCH }),
    ),
    reachable: memo((side: DependencySide, maxDepth: number, types?: string[], need: AssetNeed = 'id') =>
      new DataLoader(async (ids: readonly string[]) => {
        const byId = await reachable(topology, [...ids], side, { maxDepth, types, summaries: need === 'summary' });
        const hops: HopParent[] = [...byId.values()].flat();
        if (need !== 'id') await attachAssets(topology, hops, need);
        if (source) {
          for (const hop of hops) {
            hop.asOf = source.asOf;
            if (hop.asset) hop.asset.asOf = source.asOf;
          }
        }
        return ids.map((id) => byId.get(id) ?? []);
      }),
    ),
  };
}

/**
 * Give every hop its asset (or its summary) from one store call. A walk can return 10,000 hops;
 * resolving each through the asset loader would cost a promise and a cache entry per hop.
 * A summary the walk brought along (Neo4j reads it with the walk) needs no call at all.
 */
async function attachAssets(store: TopologyReader, hops: HopParent[], need: 'summary' | 'full'): Promise<void> {
  if (need === 'summary') {
    // A summary stands in for the record: the query selects nothing of the asset that it lacks.
    for (const hop of hops) if (hop.summary) hop.asset = hop.summary as AssetParent;
    hops = hops.filter((hop) => !hop.asset);
    if (hops.length === 0) return;
  }
  // One walk lists each asset once; several walks (a page of assets) may share hops.
  const ids = [...new Set(hops.map((hop) => hop.id))];
  const found: (AssetSummary | null)[] = need === 'full' ? await store.getAssets(ids) : await store.getAssetSummaries(ids);
  // A summary stands in for the record: the query selects nothing of the asset that it lacks.
  const asset = (i: number) => (found[i] ?? undefined) as AssetParent | undefined;
  if (ids.length === hops.length) {
    hops.forEach((hop, i) => (hop.asset = asset(i))); // no repeats: ids[i] is hops[i].id
    return;
  }
  const index = new Map(ids.map((id, i) => [id, i]));
  for (const hop of hops) hop.asset = asset(index.get(hop.id)!);
}
