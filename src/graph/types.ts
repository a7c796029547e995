/** Data shapes crossing the GraphStore port. Timestamps are ISO-8601 strings (UTC, milliseconds). */
import type { AssetWrite, Properties, PropertyValue, RelationshipKey, RelationshipWrite, Scalar } from '../model/records';

export type { AssetWrite, Properties, PropertyValue, RelationshipKey, RelationshipWrite, Scalar };

export interface AssetRecord {
  id: string;
  kind: string;
  name: string | null;
  properties: Properties;
  /** Latest live values per metric (filled by state ingestion). */
  state: Record<string, Scalar>;
  /** When each metric in `state` was observed (ISO-8601). */
  stateObservedAt: Record<string, string>;
  /** The latest `status` metric, or null when none was reported. */
  status: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}


export interface RelationshipRecord extends RelationshipKey {
  properties: Properties;
}

/**
 * A relationship read as a dependency: `consumer` depends on `supplier`, whatever the
 * stored direction of the relationship (see DependencyDirection in the model).
 */
export interface DependencyEdge {
  supplier: string;
  consumer: string;
  relationship: RelationshipRecord;
}

export type Direction = 'OUT' | 'IN' | 'BOTH';

/** Which way to walk dependency edges: towards suppliers (UPSTREAM) or consumers (DOWNSTREAM). */
export type DependencySide = 'UPSTREAM' | 'DOWNSTREAM';

export type PropertyOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'exists';

export interface PropertyFilter {
  key: string;
  op: PropertyOp;
  /** For `in`, a list; for `exists`, a boolean; otherwise a scalar. */
  value: Scalar | Scalar[] | boolean;
}

export interface AssetFilter {
  ids?: string[];
  kinds?: string[];
  idPrefix?: string;
  nameContains?: string;
  statuses?: string[];
  properties?: PropertyFilter[];
}

/** Sortable fields; `property` sorts by a property given in `AssetSort.property`. */
export type AssetSortField = 'id' | 'name' | 'kind' | 'updatedAt' | 'property';

export interface AssetSort {
  field: AssetSortField;
  property?: string;
  descending: boolean;
}

/** Keyset position: the sort value and id of the last asset of the previous page. */
export interface AssetCursor {
  value: Scalar | null;
  id: string;
}

export interface AssetListQuery {
  filter: AssetFilter;
  sort: AssetSort;
  after?: AssetCursor;
  limit: number;
}

export interface AssetPage {
  assets: AssetRecord[];
  /** Sort value of each returned asset, aligned with `assets`, to build cursors from. */
  sortValues: (Scalar | null)[];
  hasNextPage: boolean;
}

/** One asset reached by a traversal. `path` lists ids from the start asset to this one. */
/** What a list that shows only names needs of an asset. */
export type AssetSummary = Pick<AssetRecord, 'id' | 'kind' | 'name'>;

/** What TopologyReader.dependencyNeighboursWithin found. */
export interface NeighbourWalk {
  /** [asset, asset one hop away] pairs, as dependencyNeighbours gives them. */
  pairs: [string, string][];
  /**
   * When asked for and the store read them along the way (Neo4j, which has the nodes in hand):
   * the summary of every asset one hop away, so that a walk's hops need no second lookup.
   */
  summaries?: Map<string, AssetSummary>;
}

export interface Hop {
  id: string;
  depth: number;
  path: string[];
  /** The asset's id, kind and name, when the walk read them along the way (see NeighbourWalk). */
  summary?: AssetSummary;
}

/** What analysis engines run on: the assets of a region and the dependency edges among them. */
export interface GraphSnapshot {
  assets: Map<string, AssetRecord>;
  edges: DependencyEdge[];
}

/** A state report that passed validation, as the store applies it. */
export interface StateWrite {
  assetId: string;
  /** ISO-8601, UTC, milliseconds. */
  observedAt: string;
  values: Record<string, Scalar>;
  eventId?: string;
}

export type ReportOutcome = 'ACCEPTED' | 'DUPLICATE' | 'STALE' | 'REJECTED';

/** What applying one StateWrite did. */
export interface StateApplied {
  outcome: ReportOutcome;
  reason?: string;
  /** ACCEPTED only: the metrics this report moved forward, with their new values. */
  changed?: Record<string, Scalar>;
  /** ACCEPTED only: the asset after the report. */
  asset?: AssetRecord;
}

/** A report refused at ingestion, kept in the bounded quarantine. */
export interface RejectedReport {
  receivedAt: string;
  assetId: string | null;
  reason: string;
  /** The record as received (may be unparseable text for a malformed NDJSON line). */
  record: unknown;
}

export interface StoredRejectedReport extends RejectedReport {
  /** Position in the quarantine; newer reports have larger ids. */
  id: string;
}

/** An asset as change sets name it. */
export interface AssetRef {
  id: string;
  kind: string;
}

/** A relationship a write created, replaced or removed, with both endpoints' kinds. */
export interface RelationshipChange {
  type: string;
  from: AssetRef;
  to: AssetRef;
  properties: Properties;
}

/**
 * What one topology write changed, worked out by the store inside the write's transaction (so
 * it is exactly what was committed). Topology events are a pure function of it
 * (src/live/topology-events.ts): no read before or after the write is needed.
 */
export interface TopologyChanges {
  /** Assets created or changed (their version moved), as written, each once. */
  assetsUpserted: AssetRecord[];
  /** The ids among `assetsUpserted` that did not exist before. */
  assetsCreated: string[];
  /** Assets removed, each once. */
  assetsDeleted: AssetRef[];
  /** Every relationship written, each once (relate replaces properties). */
  relationshipsUpserted: RelationshipChange[];
  /** Relationships removed, explicitly or with one of their endpoints, each once. */
  relationshipsDeleted: RelationshipChange[];
}

/** A topology write's own result, and what it changed. */
export type Written<T> = T & { changes: TopologyChanges };
