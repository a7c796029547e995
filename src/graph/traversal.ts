import type { GraphStore } from './graph-store';
import type { AssetCursor, AssetRecord, DependencyEdge, DependencySide, GraphSnapshot, Hop } from './types';

/**
 * Traversals written once over the GraphStore primitives, so both adapters behave alike.
 * Each walks breadth-first, one store round trip per level for the whole frontier (and for
 * every start asset of a batch at once), keeps a visited set so cycles never loop, and stops
 * at `maxDepth`. Neighbours are visited in id order, so the reported path is deterministic.
 */
export interface TraversalOptions {
  maxDepth: number;
  /** Relationship types to follow; undefined follows all that apply. */
  types?: string[];
}

/** Neighbours of a frontier: for each asset in it, the ids one step away. */
type Expand = (frontier: string[]) => Promise<Map<string, string[]>>;

interface Visit {
  depth: number;
  parent: string | null;
}

/**
 * Breadth-first search for several independent groups of sources at once (one visited map per
 * group), sharing one `expand` call per level. Stops a group early when `stopAt` is reached.
 */
async function bfs(groups: string[][], maxDepth: number, expand: Expand, stopAt?: string): Promise<Map<string, Visit>[]> {
  const visited = groups.map((sources) => new Map(sources.map((id) => [id, { depth: 0, parent: null } as Visit])));
  let frontiers = groups.map((sources) => [...new Set(sources)].sort());
  for (let depth = 1; depth <= maxDepth; depth++) {
    const union = [...new Set(frontiers.flat())];
    if (union.length === 0) break;
    const neighbours = await expand(union);
    frontiers = frontiers.map((frontier, g) => {
      const next: string[] = [];
      for (const id of frontier) {
        for (const n of neighbours.get(id) ?? []) {
          if (visited[g].has(n)) continue;
          visited[g].set(n, { depth, parent: id });
          next.push(n);
        }
      }
      return stopAt !== undefined && visited[g].has(stopAt) ? [] : next.sort();
    });
  }
  return visited;
}

function pathTo(visited: Map<string, Visit>, id: string): string[] {
  const path: string[] = [];
  for (let at: string | null = id; at !== null; at = visited.get(at)!.parent) path.push(at);
  return path.reverse();
}

/** Neighbour ids along dependency edges, sorted, for BFS. */
function dependencyExpand(store: GraphStore, side: DependencySide, types?: string[]): Expand {
  return async (frontier) => {
    const edges = await store.dependencyEdges(frontier, side, types);
    return adjacency(edges.map((e) => (side === 'UPSTREAM' ? [e.consumer, e.supplier] : [e.supplier, e.consumer])));
  };
}

function adjacency(pairs: [string, string][]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [near, far] of pairs) {
    if (!out.has(near)) out.set(near, new Set());
    out.get(near)!.add(far);
  }
  return new Map([...out].map(([id, set]) => [id, [...set].sort()]));
}

/**
 * Transitive suppliers (UPSTREAM) or consumers (DOWNSTREAM) of each start asset, with hop
 * distance and one shortest path, nearest first. The start itself is never in its own list.
 */
export async function reachable(store: GraphStore, starts: string[], side: DependencySide, opts: TraversalOptions): Promise<Map<string, Hop[]>> {
  const visits = await bfs(starts.map((id) => [id]), opts.maxDepth, dependencyExpand(store, side, opts.types));
  return new Map(
    starts.map((start, i) => {
      const hops = [...visits[i]]
        .filter(([id]) => id !== start)
        .map(([id, v]) => ({ id, depth: v.depth, path: pathTo(visits[i], id) }))
        .sort((a, b) => a.depth - b.depth || (a.id < b.id ? -1 : 1));
      return [start, hops];
    }),
  );
}

/**
 * Shortest chain of relationships between two assets, following relationships in either
 * direction; ids from `from` to `to`, or null when none within `maxDepth`.
 */
export async function shortestPath(store: GraphStore, from: string, to: string, opts: TraversalOptions): Promise<string[] | null> {
  if (from === to) return [from];
  const expand: Expand = async (frontier) => {
    const byAsset = await store.relationshipsOf(frontier, 'BOTH', opts.types);
    return adjacency([...byAsset].flatMap(([id, rels]) => rels.map((r) => [id, r.from === id ? r.to : r.from] as [string, string])));
  };
  const [visited] = await bfs([[from]], opts.maxDepth, expand, to);
  return visited.has(to) ? pathTo(visited, to) : null;
}

/**
 * What impact analysis needs: every asset downstream of the failed set within `maxDepth`, and
 * all the dependency edges into those assets (including edges from suppliers outside the
 * region, which stay up and count towards redundancy).
 */
export async function loadImpactEdges(store: GraphStore, failed: string[], opts: TraversalOptions): Promise<DependencyEdge[]> {
  const [region] = await bfs([failed], opts.maxDepth, dependencyExpand(store, 'DOWNSTREAM', opts.types));
  const consumers = [...region.keys()].filter((id) => region.get(id)!.depth > 0);
  if (consumers.length === 0) return [];
  return store.dependencyEdges(consumers, 'UPSTREAM', opts.types);
}

/** Assets fetched per store call when loading a snapshot. */
const SNAPSHOT_BATCH = 5000;

/**
 * The subgraph a scenario runs on: the `roots` and every asset within `maxDepth` dependency
 * hops of them (upstream and downstream), or, without roots, the whole twin; with all dependency
 * edges between those assets. Loaded in batches, never one asset at a time.
 */
export async function loadSnapshot(store: GraphStore, scope: { roots?: string[]; maxDepth: number }): Promise<GraphSnapshot> {
  const ids = scope.roots ? await regionIds(store, scope.roots, scope.maxDepth) : await allAssetIds(store);
  const assets = new Map<string, AssetRecord>();
  const edges: DependencyEdge[] = [];
  for (let i = 0; i < ids.length; i += SNAPSHOT_BATCH) {
    const chunk = ids.slice(i, i + SNAPSHOT_BATCH);
    for (const asset of await store.getAssets(chunk)) if (asset) assets.set(asset.id, asset);
  }
  for (let i = 0; i < ids.length; i += SNAPSHOT_BATCH) {
    const chunk = ids.slice(i, i + SNAPSHOT_BATCH);
    for (const edge of await store.dependencyEdges(chunk, 'UPSTREAM')) if (assets.has(edge.supplier)) edges.push(edge);
  }
  return { assets, edges };
}

async function regionIds(store: GraphStore, roots: string[], maxDepth: number): Promise<string[]> {
  const expandBoth: Expand = async (frontier) => {
    const [up, down] = await Promise.all([
      dependencyExpand(store, 'UPSTREAM')(frontier),
      dependencyExpand(store, 'DOWNSTREAM')(frontier),
    ]);
    return new Map(frontier.map((id) => [id, [...new Set([...(up.get(id) ?? []), ...(down.get(id) ?? [])])].sort()]));
  };
  const [visited] = await bfs([roots], maxDepth, expandBoth);
  return [...visited.keys()].sort();
}

async function allAssetIds(store: GraphStore): Promise<string[]> {
  const ids: string[] = [];
  let after: AssetCursor | undefined;
  for (;;) {
    const page = await store.listAssets({ filter: {}, sort: { field: 'id', descending: false }, after, limit: SNAPSHOT_BATCH });
    ids.push(...page.assets.map((a) => a.id));
    if (!page.hasNextPage) return ids;
    const last = page.assets[page.assets.length - 1];
    after = { value: last.id, id: last.id };
  }
}
