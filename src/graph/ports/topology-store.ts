import type {
  AssetFilter,
  AssetListQuery,
  AssetPage,
  AssetRecord,
  AssetSummary,
  AssetWrite,
  DependencyEdge,
  DependencySide,
  Direction,
  NeighbourWalk,
  RelationshipKey,
  RelationshipRecord,
  RelationshipWrite,
  Written,
} from '../types';

/**
 * Topology: assets and their relationships, and the one-hop reads traversals are built from
 * (src/graph/traversal.ts). Inputs arrive already validated against the twin model; adapters
 * still enforce referential rules (endpoints must exist). Every method takes a batch, so
 * resolvers go through DataLoader: one call per batch, never one per asset.
 */
export interface TopologyStore extends TopologyReader {
  // Every write also returns `changes`: what it changed, worked out inside its transaction, and
  // appends it to topology history (TopologyHistoryStore) in that same transaction.

  /**
   * Create or update assets in one transaction; `assets` in input order.
   * Properties merge into the stored ones (a null value removes a key); `version` goes up by one
   * only when something actually changed, and `updatedAt` moves with it.
   */
  upsertAssets(assets: AssetWrite[]): Promise<Written<{ assets: AssetRecord[] }>>;

  /** Delete assets and all their relationships; `deleted`: how many assets existed. */
  deleteAssets(ids: string[]): Promise<Written<{ deleted: number }>>;

  /**
   * Create or update relationships in one transaction; `relationships` in input order. Relating
   * the same (from, type, to) twice keeps one edge and replaces its properties. An unknown
   * endpoint fails the whole batch with NOT_FOUND naming the record (`details.index`).
   */
  relate(relationships: RelationshipWrite[]): Promise<Written<{ relationships: RelationshipRecord[] }>>;

  /** Remove relationships by key; `removed`: how many existed. */
  unrelate(keys: RelationshipKey[]): Promise<Written<{ removed: number }>>;
}

/**
 * The reads of topology: what traversals, loaders and `asOf` views (src/graph/as-of-topology.ts,
 * the same reads answered as the twin was at a past moment) are built on.
 */
export interface TopologyReader {
  /** Assets by id, aligned with `ids` (null where missing). */
  getAssets(ids: string[]): Promise<(AssetRecord | null)[]>;

  /** Id, kind and name of assets, aligned with `ids` (null where missing): for long lists that show no more. */
  getAssetSummaries(ids: string[]): Promise<(AssetSummary | null)[]>;

  /** The subset of `ids` that exist. */
  existingIds(ids: string[]): Promise<Set<string>>;

  /** One page of assets, filtered, sorted and paged by keyset in the database. */
  listAssets(query: AssetListQuery): Promise<AssetPage>;

  countAssets(filter: AssetFilter): Promise<number>;

  /**
   * Relationships touching the given assets. OUT: `id` is the source; IN: the target;
   * BOTH: either. `types` restricts relationship types (undefined = all).
   * A relationship between two of the given assets appears once in each asset's list.
   * `properties: false` leaves every relationship's `properties` empty, for callers that do not
   * show them (most of a dashboard page's bytes otherwise).
   */
  relationshipsOf(ids: string[], direction: Direction, types?: string[], opts?: { properties?: boolean }): Promise<Map<string, RelationshipRecord[]>>;

  /**
   * Dependency edges one hop from the given assets: UPSTREAM gives the edges through which they
   * depend on suppliers (they are the consumers); DOWNSTREAM the edges of their consumers.
   * Only FORWARD and REVERSE types count; `types` narrows them further.
   */
  dependencyEdges(ids: string[], side: DependencySide, types?: string[]): Promise<DependencyEdge[]>;

  /**
   * The same hops as `dependencyEdges` without the relationships themselves: [given id, id one
   * hop away] pairs (a pair may repeat when two relationships link the same assets). What
   * traversals need, at a fraction of the cost on large frontiers.
   */
  dependencyNeighbours(ids: string[], side: DependencySide, types?: string[]): Promise<[string, string][]>;

  /**
   * Everything a breadth-first walk of `depth` levels from `ids` reads, in one call: the
   * `dependencyNeighbours` pairs of every asset fewer than `depth` hops from `ids` (`ids`
   * included), in no particular order. A store that pays per round trip (Neo4j) finds them in
   * one statement; the traversals then walk them in memory (src/graph/traversal.ts). With
   * `summaries`, a store that can read them along the way adds the far assets' summaries.
   */
  dependencyNeighboursWithin(ids: string[], side: DependencySide, depth: number, types?: string[], opts?: { summaries?: boolean }): Promise<NeighbourWalk>;
}
