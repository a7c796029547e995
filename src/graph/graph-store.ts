import type {
  AssetFilter,
  AssetListQuery,
  AssetPage,
  AssetRecord,
  AssetWrite,
  DependencyEdge,
  DependencySide,
  Direction,
  RelationshipKey,
  RelationshipRecord,
  RelationshipWrite,
} from './types';

/**
 * The storage port. Both adapters (Neo4j, embedded SQLite) implement it and pass the same
 * contract suite (test/contract). Inputs arrive already validated against the twin model
 * (src/model/validate.ts); adapters still enforce referential rules (endpoints must exist).
 *
 * Every method takes a batch so that resolvers can go through DataLoader: one call per batch,
 * never one per asset. Traversals (dependencies, impact, paths) are written once on top of
 * these primitives in src/graph/traversal.ts.
 */
export interface GraphStore {
  /** `sqlite` or `neo4j`: shown by health checks and benchmarks. */
  readonly backend: string;

  /** Check connectivity and apply schema (constraints, indexes, tables); idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;

  /**
   * Create or update assets in one transaction and return them in input order.
   * Properties merge into the stored ones (a null value removes a key); `version` goes up by one
   * only when something actually changed, and `updatedAt` moves with it.
   */
  upsertAssets(assets: AssetWrite[]): Promise<AssetRecord[]>;

  /** Delete assets and all their relationships; returns how many assets existed. */
  deleteAssets(ids: string[]): Promise<number>;

  /**
   * Create or update relationships in one transaction. Relating the same (from, type, to) twice
   * keeps one edge and replaces its properties. An unknown endpoint fails the whole batch with
   * NOT_FOUND naming the record (`details.index`).
   */
  relate(relationships: RelationshipWrite[]): Promise<RelationshipRecord[]>;

  /** Remove relationships by key; returns how many existed. */
  unrelate(keys: RelationshipKey[]): Promise<number>;

  /** Assets by id, aligned with `ids` (null where missing). */
  getAssets(ids: string[]): Promise<(AssetRecord | null)[]>;

  /** The subset of `ids` that exist. */
  existingIds(ids: string[]): Promise<Set<string>>;

  /** One page of assets, filtered, sorted and paged by keyset in the database. */
  listAssets(query: AssetListQuery): Promise<AssetPage>;

  countAssets(filter: AssetFilter): Promise<number>;

  /**
   * Relationships touching the given assets. OUT: `id` is the source; IN: the target;
   * BOTH: either. `types` restricts relationship types (undefined = all).
   * A relationship between two of the given assets appears once in each asset's list.
   */
  relationshipsOf(ids: string[], direction: Direction, types?: string[]): Promise<Map<string, RelationshipRecord[]>>;

  /**
   * Dependency edges one hop from the given assets: UPSTREAM gives the edges through which they
   * depend on suppliers (they are the consumers); DOWNSTREAM the edges of their consumers.
   * Only FORWARD and REVERSE types count; `types` narrows them further.
   */
  dependencyEdges(ids: string[], side: DependencySide, types?: string[]): Promise<DependencyEdge[]>;
}
