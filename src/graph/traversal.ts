import type { TopologyReader } from './ports/topology-store';
import type { AssetCursor, AssetRecord, AssetSummary, DependencyEdge, DependencySide, GraphSnapshot, Hop, NeighbourWalk } from './types';

/**
 * Traversals written once over the TopologyStore primitives, so both adapters behave alike.
 * Each walks breadth-first, for every start asset of a batch at once, keeps a visited set so
 * cycles never loop, and stops at `maxDepth`. `reachable` and impact read everything they need in
 * one store call (dependencyNeighboursWithin) and walk it in memory; shortestPath and a
 * scenario's region make one store call per level for the whole frontier. A frontier is walked in
 * id order, so the reported path is deterministic: an asset's parent is the smallest id of the
 * previous level that links to it.
 */
export interface TraversalOptions {
  maxDepth: number;
  /** Relationship types to follow; undefined follows all that apply. */
  types?: string[];
}

/** Neighbours of a frontier: for each asset in it, the ids one step away (in any order, repeats allowed). */
type Expand = (frontier: string[]) => Promise<Map<string, string[]>>;

/** What one group's walk found: every asset with the one it was reached from, and the ids level by level, sorted. */
interface Walk {
  parents: Map<string, string | null>;
  levels: string[][];
}

/**
 * Breadth-first search for several independent groups of sources at once (one walk per group),
 * sharing one `expand` call per level. Stops a group early when `stopAt` is reached.
 */
async function bfs(groups: string[][], maxDepth: number, expand: Expand, stopAt?: string): Promise<Walk[]> {
  const walks: Walk[] = groups.map((sources) => {
    const start = [...new Set(sources)].sort();
    return { parents: new Map(start.map((id) => [id, null])), levels: [start] };
  });
  let frontiers = walks.map((walk) => walk.levels[0]);
  for (let depth = 1; depth <= maxDepth; depth++) {
    const union = walks.length === 1 ? frontiers[0] : [...new Set(frontiers.flat())];
    if (union.length === 0) break;
    const neighbours = await expand(union);
    frontiers = walks.map(({ parents, levels }, g) => {
      const next: string[] = [];
      for (const id of frontiers[g]) {
        for (const n of neighbours.get(id) ?? []) {
          if (parents.has(n)) continue;
          parents.set(n, id);
          next.push(n);
        }
      }
      levels.push(next.sort());
      return stopAt !== undefined && parents.has(stopAt) ? [] : next;
    });
  }
  return walks;
}

function pathTo(parents: Map<string, string | null>, id: string): string[] {
  const path: string[] = [];
  for (let at: string | null = id; at !== null; at = parents.get(at)!) path.push(at);
  return path.reverse();
}

/**
 * A hop of a walk. Its path is built when read (from the walk's parents, on the prototype): a
 * walk of 10,000 hops would otherwise build 10,000 arrays, or closures, that nobody asked for.
 */
class WalkHop implements Hop {
  constructor(
    readonly id: string,
    readonly depth: number,
    private readonly parents: Map<string, string | null>,
    readonly summary?: AssetSummary,
  ) {}

  get path(): string[] {
    return pathTo(this.parents, this.id);
  }
}

/** Neighbour ids along dependency edges, for BFS: one level per call. */
function dependencyExpand(store: TopologyReader, side: DependencySide, types?: string[]): Expand {
  return async (frontier) => adjacency(await store.dependencyNeighbours(frontier, side, types));
}

/** Every level of a walk from what one dependencyNeighboursWithin call read. */
const inMemory = (walk: NeighbourWalk): Expand => {
  const neighbours = adjacency(walk.pairs);
  return async () => neighbours;
};

function adjacency(pairs: [string, string][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [near, far] of pairs) {
    const list = out.get(near);
    if (list) list.push(far);
    else out.set(near, [far]);
  }
  return out;
}

/**
 * Transitive suppliers (UPSTREAM) or consumers (DOWNSTREAM) of each start asset, with hop
 * distance and one shortest path, nearest first. The start itself is never in its own list.
 * With `summaries`, hops carry their asset's summary where the store read it along the walk.
 */
export async function reachable(
  store: TopologyReader,
  starts: string[],
  side: DependencySide,
  opts: TraversalOptions & { summaries?: boolean },
): Promise<Map<string, Hop[]>> {
  const walk = await store.dependencyNeighboursWithin([...new Set(starts)], side, opts.maxDepth, opts.types, { summaries: opts.summaries });
  const walks = await bfs(starts.map((id) => [id]), opts.maxDepth, inMemory(walk));
  return new Map(
    starts.map((start, i) => {
      const { parents, levels } = walks[i];
      // Levels come nearest first and sorted, so the hops need no sorting of their own.
      const hops = levels.slice(1).flatMap((level, d) => level.map((id): Hop => new WalkHop(id, d + 1, parents, walk.summaries?.get(id))));
      return [start, hops];
    }),
  );
}

/**
 * Shortest chain of relationships between two assets, following relationships in either
 * direction; ids from `from` to `to`, or null when none within `maxDepth`.
 */
export async function shortestPath(store: TopologyReader, from: string, to: string, opts: TraversalOptions): Promise<string[] | null> {
  if (from === to) return [from];
  const expand: Expand = async (frontier) => {
    const byAsset = await store.relationshipsOf(frontier, 'BOTH', opts.types, { properties: false });
    return adjacency([...byAsset].flatMap(([id, rels]) => rels.map((r) => [id, r.from === id ? r.to : r.from] as [string, string])));
  };
  const [{ parents }] = await bfs([[from]], opts.maxDepth, expand, to);
  return parents.has(to) ? pathTo(parents, to) : null;
}

/**
 * What impact analysis needs: every asset downstream of the failed set within `maxDepth`, and
 * all the dependency edges into those assets (including edges from suppliers outside the
 * region, which stay up and count towards redundancy).
 */
export async function loadImpactEdges(store: TopologyReader, failed: string[], opts: TraversalOptions): Promise<DependencyEdge[]> {
  const walk = await store.dependencyNeighboursWithin([...new Set(failed)], 'DOWNSTREAM', opts.maxDepth, opts.types);
  const [{ levels }] = await bfs([failed], opts.maxDepth, inMemory(walk));
  const consumers = levels.slice(1).flat();
  return inBatches(consumers, (chunk) => store.dependencyEdges(chunk, 'UPSTREAM', opts.types));
}

/**
 * Most ids one store call takes when loading a region: bounded, so that each call is short (the
 * embedded store lets other requests in between calls) and its parameter list stays small.
 */
const STORE_BATCH = 2000;

/** `load` over `ids` in batches of STORE_BATCH, one after the other, results concatenated. */
async function inBatches<T>(ids: string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += STORE_BATCH) out.push(...(await load(ids.slice(i, i + STORE_BATCH))));
  return out;
}

/**
 * The subgraph a scenario runs on: the `roots` and every asset within `maxDepth` dependency
 * hops of them (upstream and downstream), or, without roots, the whole twin; with all dependency
 * edges between those assets. Loaded in batches, never one asset at a time.
 */
export async function loadSnapshot(store: TopologyReader, scope: { roots?: string[]; maxDepth: number }): Promise<GraphSnapshot> {
  const ids = scope.roots ? await regionIds(store, scope.roots, scope.maxDepth) : await allAssetIds(store);
  const assets = new Map<string, AssetRecord>();
  for (const asset of await inBatches(ids, (chunk) => store.getAssets(chunk))) if (asset) assets.set(asset.id, asset);
  const edges = (await inBatches(ids, (chunk) => store.dependencyEdges(chunk, 'UPSTREAM'))).filter((edge) => assets.has(edge.supplier));
  return { assets, edges };
}

async function regionIds(store: TopologyReader, roots: string[], maxDepth: number): Promise<string[]> {
  const expandBoth: Expand = async (frontier) => {
    const [up, down] = await Promise.all([
      dependencyExpand(store, 'UPSTREAM')(frontier),
      dependencyExpand(store, 'DOWNSTREAM')(frontier),
    ]);
    return new Map(frontier.map((id) => [id, [...(up.get(id) ?? []), ...(down.get(id) ?? [])]]));
  };
  const [{ parents }] = await bfs([roots], maxDepth, expandBoth);
  return [...parents.keys()].sort();
}

async function allAssetIds(store: TopologyReader): Promise<string[]> {
  const ids: string[] = [];
  let after: AssetCursor | undefined;
  for (;;) {
    const page = await store.listAssets({ filter: {}, sort: { field: 'id', descending: false }, after, limit: STORE_BATCH });
    ids.push(...page.assets.map((a) => a.id));
    if (!page.hasNextPage) return ids;
    const last = page.assets[page.assets.length - 1];
    after = { value: last.id, id: last.id };
  }
}
