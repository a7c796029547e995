import { indexSnapshot } from './snapshot-index';
import { badInput } from '../errors';
import type { AssetRecord, GraphSnapshot } from '../graph/types';
import { computeImpact, redundancyGroups } from './impact';

/** Version of the load-flow semantics; stored with scenario runs so results can be reproduced. */
export const LOAD_ENGINE_VERSION = 'load/1';

/** Relative tolerance of the overload test, so float summation noise at exactly 100% is not an overload. */
const OVERLOAD_TOLERANCE = 1e-9;

/** Scales demand: of one asset (`assetId`) or of every asset of a kind (`kind`); give exactly one of the two. */
export interface LoadFactor {
  assetId?: string;
  kind?: string;
  /** Multiplier of the asset's `loadKw`, at least 0 (1.2 = +20%). */
  factor: number;
}

export interface LoadOptions {
  /** Assets out of service; they and what the IMPACT cascade brings down carry no load. */
  failed?: string[];
  /** A factor for an asset id wins over one for its kind; without either, the factor is 1. */
  loadFactors?: LoadFactor[];
  /**
   * Observed demand in kW per asset id (e.g. from observed state): an asset in this map takes it as
   * its base demand instead of its `loadKw` property; load factors still apply on top. Assets not in
   * the map fall back to `loadKw`; ids that name nothing in the snapshot (no asset, edge end or failed
   * id) are ignored, and counted in `summary.demandSource.unmatched`. Values must be finite numbers of at least 0. Default: none,
   * every demand comes from `loadKw`.
   */
  demandKw?: ReadonlyMap<string, number>;
}

export interface AssetLoad {
  id: string;
  kind: string | null;
  /**
   * The asset's own consumption: its base demand (its observed demand from `LoadOptions.demandKw`
   * when given, else `loadKw`, else 0) times its load factor.
   */
  demandKw: number;
  /** What it carries: own demand plus the shares its live consumers pass to it. 0 when DOWN. */
  loadKw: number;
  capacityKw: number | null;
  /** `loadKw / capacityKw`, or null without a capacity. */
  utilization: number | null;
  overloaded: boolean;
  /**
   * Demand that cannot be served at this asset: its own demand when it is DOWN; for an asset that
   * is up, the load it would pass to a group that has no live supplier (possible only with `minLive` 0).
   */
  unservedKw: number;
  state: 'DOWN' | null;
}

export interface LoadSummary {
  engineVersion: string;
  /** Sum of every asset's demand (after factors), served or not. */
  totalDemandKw: number;
  unservedKw: number;
  /** Highest utilization among assets with a capacity (ties: smallest id); null when none has one. */
  worstUtilization: { id: string; utilization: number } | null;
  /** Ids of overloaded assets, sorted. */
  overloaded: string[];
  /** `failed`, deduplicated and sorted. */
  failed: string[];
  /** Every DOWN asset (failed, unsatisfiable, and the cascade), sorted. */
  down: string[];
  /**
   * Dependency cycles (strongly connected components with more than one asset, or an asset that
   * depends on itself), each sorted by id. Load is not passed around a cycle (it would circulate
   * forever): a share sent along an edge inside a cycle is dropped, and counted in
   * `cycleLoadDroppedKw`; so loads of cycle members and their suppliers are lower bounds.
   */
  cycles: string[][];
  cycleLoadDroppedKw: number;
  /** Consumers with a group needing more suppliers than it has: down from the start, like in RELIABILITY. */
  unsatisfiable: string[];
  /**
   * Only when `LoadOptions.demandKw` was given: how many consumers took their base demand from it
   * (`observed`: every asset in the map, an observed 0 included) and how many fell back to `loadKw`
   * (`fallback`: assets not in the map with a `loadKw` above 0). `unmatched`: ids in the map that
   * name nothing in the snapshot (ignored).
   */
  demandSource?: { observed: number; fallback: number; unmatched: number };
}

export interface LoadResult {
  /** Assets with demand, load, a capacity, unserved load, or DOWN; sorted by id. */
  assets: AssetLoad[];
  summary: LoadSummary;
}

function numberProperty(asset: AssetRecord | undefined, key: string, valid: (v: number) => boolean, expected: string): number | null {
  const value = (asset?.properties as Record<string, unknown> | undefined)?.[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) {
    throw badInput(`asset ${asset!.id}: ${key} must be ${expected}, got ${JSON.stringify(value)}`, { assetId: asset!.id });
  }
  return value;
}

function factorLookup(loadFactors: LoadFactor[]) {
  const byId = new Map<string, number>();
  const byKind = new Map<string, number>();
  loadFactors.forEach(({ assetId, kind, factor }, i) => {
    if ((assetId === undefined) === (kind === undefined)) {
      throw badInput(`loadFactors[${i}]: give exactly one of assetId or kind`, { index: i });
    }
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 0) {
      throw badInput(`loadFactors[${i}]: factor must be a number of at least 0, got ${JSON.stringify(factor)}`, { index: i });
    }
    const [map, key, what] = assetId !== undefined ? [byId, assetId, 'asset'] : [byKind, kind!, 'kind'];
    if (map.has(key)) throw badInput(`loadFactors[${i}]: a second factor for ${what} ${key}`, { index: i });
    map.set(key, factor);
  });
  return (id: string, kind: string | null) => byId.get(id) ?? (kind !== null ? byKind.get(kind) : undefined) ?? 1;
}

/**
 * Strongly connected components of the graph `from -> adj[start[from] .. start[from + 1])`
 * (iterative Tarjan). Components come out in reverse topological order: every component after
 * all those it reaches.
 */
function stronglyConnected(n: number, start: Int32Array, adj: Int32Array): number[][] {
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  const callVertex: number[] = [];
  const callEdge: number[] = [];
  let counter = 0;
  const visit = (v: number) => {
    order[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    callVertex.push(v);
    callEdge.push(start[v]);
  };
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    visit(root);
    while (callVertex.length > 0) {
      const top = callVertex.length - 1;
      const v = callVertex[top];
      const e = callEdge[top];
      if (e < start[v + 1]) {
        callEdge[top] = e + 1;
        const w = adj[e];
        if (order[w] === -1) visit(w);
        else if (onStack[w]) low[v] = Math.min(low[v], order[w]);
        continue;
      }
      callVertex.pop();
      callEdge.pop();
      if (callVertex.length > 0) {
        const parent = callVertex[callVertex.length - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === order[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

const byIndexArrays = (a: number[], b: number[]) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
};

/**
 * LOAD: demand flows up dependency edges. Each asset's demand is its base demand (its observed
 * demand when `options.demandKw` has one, else its `loadKw`) times its load factor; an asset that is up carries its own demand plus what its consumers pass to it, and passes
 * that whole total to each of its redundancy groups (power and cooling each carry the full load),
 * split evenly over the group's live suppliers. Live means not failed and not brought down by the
 * IMPACT cascade, so a failed A side moves its share onto B (failover). DOWN assets carry nothing;
 * their own demand is unserved. Consumers are processed before their suppliers; cycles are
 * reported, not followed (see `LoadSummary.cycles`). Deterministic whatever the order of the
 * snapshot: assets are indexed by sorted id, groups and suppliers are put in a canonical order.
 */
export function runLoad(snapshot: GraphSnapshot, options: LoadOptions = {}): LoadResult {
  const failed = [...new Set(options.failed ?? [])].sort();
  const factorOf = factorLookup(options.loadFactors ?? []);

  const { ids, index, kinds } = indexSnapshot(snapshot, failed);
  const n = ids.length;
  const demand = new Float64Array(n);
  const capacity: (number | null)[] = new Array(n).fill(null);
  const observedDemand = options.demandKw;
  const source = { observed: 0, fallback: 0, unmatched: 0 };
  ids.forEach((id, i) => {
    const asset = snapshot.assets.get(id);
    const loadKw = numberProperty(asset, 'loadKw', (v) => v >= 0, 'a number of at least 0') ?? 0;
    let base = loadKw;
    if (observedDemand?.has(id)) {
      base = observedDemand.get(id)!;
      if (typeof base !== 'number' || !Number.isFinite(base) || base < 0) {
        throw badInput(`demandKw for asset ${id} must be a number of at least 0, got ${JSON.stringify(base)}`, { assetId: id });
      }
      source.observed++;
    } else if (loadKw > 0) {
      source.fallback++;
    }
    demand[i] = base === 0 ? 0 : base * factorOf(id, kinds[i]);
    capacity[i] = numberProperty(asset, 'capacityKw', (v) => v > 0, 'a positive number');
  });
  if (observedDemand) for (const id of observedDemand.keys()) if (!index.has(id)) source.unmatched++;

  // Groups per consumer, as sorted supplier indices, in a canonical order.
  const groupsOf: { need: number; suppliers: number[] }[][] = Array.from({ length: n }, () => []);
  const unsatisfiable: string[] = [];
  for (const [consumer, groups] of redundancyGroups(snapshot.edges)) {
    const c = index.get(consumer)!;
    groupsOf[c] = groups
      .map((g) => ({ need: g.need, suppliers: g.suppliers.map((s) => index.get(s)!).sort((a, b) => a - b) }))
      .sort((a, b) => byIndexArrays(a.suppliers, b.suppliers) || a.need - b.need);
    if (groups.some((g) => g.suppliers.length < g.need)) unsatisfiable.push(consumer);
  }
  unsatisfiable.sort();

  // Who is down: the IMPACT cascade from the failed set (and consumers that can never be up).
  const impact = computeImpact(snapshot.edges, [...failed, ...unsatisfiable]);
  const down = new Uint8Array(n);
  for (const id of [...failed, ...unsatisfiable, ...impact.down.map((e) => e.id)]) down[index.get(id)!] = 1;

  // CSR supplier -> consumers (deduplicated, sorted) for the component order.
  const pairs = new Set<number>();
  const links: [number, number][] = [];
  for (let c = 0; c < n; c++) {
    for (const g of groupsOf[c]) {
      for (const s of g.suppliers) {
        const key = s * n + c;
        if (!pairs.has(key)) {
          pairs.add(key);
          links.push([s, c]);
        }
      }
    }
  }
  links.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const start = new Int32Array(n + 1);
  for (const [s] of links) start[s + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const adj = Int32Array.from(links, ([, c]) => c);

  // Components come out consumers first (each after everything downstream of it).
  const components = stronglyConnected(n, start, adj);
  const componentOf = new Int32Array(n);
  components.forEach((members, k) => members.forEach((i) => (componentOf[i] = k)));
  const cycles = components
    .filter((members) => members.length > 1 || pairs.has(members[0] * n + members[0]))
    .map((members) => members.map((i) => ids[i]))
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

  const received = new Float64Array(n);
  const load = new Float64Array(n);
  const unserved = new Float64Array(n);
  let dropped = 0;
  for (const members of components) {
    for (const i of members) {
      if (down[i]) {
        unserved[i] = demand[i];
        continue;
      }
      const total = demand[i] + received[i];
      load[i] = total;
      if (total === 0) continue;
      for (const group of groupsOf[i]) {
        const live = group.suppliers.filter((s) => !down[s]);
        if (live.length === 0) {
          unserved[i] += total;
          continue;
        }
        const share = total / live.length;
        for (const s of live) {
          if (componentOf[s] === componentOf[i]) dropped += share;
          else received[s] += share;
        }
      }
    }
  }

  const assets: AssetLoad[] = [];
  let totalDemandKw = 0;
  let unservedKw = 0;
  let worst: { id: string; utilization: number } | null = null;
  const overloaded: string[] = [];
  for (let i = 0; i < n; i++) {
    totalDemandKw += demand[i];
    unservedKw += unserved[i];
    const cap = capacity[i];
    if (demand[i] === 0 && load[i] === 0 && cap === null && unserved[i] === 0 && !down[i]) continue;
    const utilization = cap === null ? null : load[i] / cap;
    const isOverloaded = cap !== null && load[i] > cap * (1 + OVERLOAD_TOLERANCE);
    if (isOverloaded) overloaded.push(ids[i]);
    if (utilization !== null && (worst === null || utilization > worst.utilization)) worst = { id: ids[i], utilization };
    assets.push({
      id: ids[i],
      kind: kinds[i],
      demandKw: demand[i],
      loadKw: load[i],
      capacityKw: cap,
      utilization,
      overloaded: isOverloaded,
      unservedKw: unserved[i],
      state: down[i] ? 'DOWN' : null,
    });
  }

  return {
    assets,
    summary: {
      engineVersion: LOAD_ENGINE_VERSION,
      totalDemandKw,
      unservedKw,
      worstUtilization: worst,
      overloaded,
      failed,
      down: ids.filter((_, i) => down[i]),
      cycles,
      cycleLoadDroppedKw: dropped,
      unsatisfiable,
      ...(observedDemand ? { demandSource: source } : {}),
    },
  };
}
