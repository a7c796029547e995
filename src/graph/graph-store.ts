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
  RelationshipKey,
  RelationshipRecord,
  RelationshipWrite,
  RejectedReport,
  StateApplied,
  StateWrite,
  StoredRejectedReport,
} from './types';
import type { AuditEntry, AuditFilter } from './audit-types';
import type { ScenarioRunFilter, ScenarioRunPatch, ScenarioRunRecord, SimulationResultRecord } from './scenario-types';

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
   */
  relationshipsOf(ids: string[], direction: Direction, types?: string[]): Promise<Map<string, RelationshipRecord[]>>;

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
   * Apply validated state reports in one transaction, in order, and return one outcome each.
   * Per metric, last writer wins by `observedAt`: a metric moves only when the report is newer
   * than the stored observation. A report that moves at least one metric is ACCEPTED (the asset's
   * version goes up and `status` follows the `status` metric); one that moves none is STALE; a
   * report whose `eventId` was seen within `eventRetentionMs` (in this batch or before) is
   * DUPLICATE; an unknown asset is REJECTED. Safe under concurrent batches for the same asset.
   */
  applyState(reports: StateWrite[], opts: { eventRetentionMs: number }): Promise<StateApplied[]>;

  /** Add rejected reports to the quarantine, then drop the oldest beyond `keep`. */
  quarantine(reports: RejectedReport[], keep: number): Promise<void>;

  /** Quarantined reports, newest first; `after` is the id of the last report of the previous page. */
  listQuarantine(limit: number, after?: string): Promise<{ reports: StoredRejectedReport[]; hasNextPage: boolean }>;

  /**
   * Create a scenario run. With an `idempotencyKey` already used by another run, nothing is
   * created and that run is returned instead (`created: false`).
   */
  createRun(run: ScenarioRunRecord): Promise<{ run: ScenarioRunRecord; created: boolean }>;

  /** Runs by id, aligned with `ids` (null where missing). */
  getRuns(ids: string[]): Promise<(ScenarioRunRecord | null)[]>;

  /** Runs newest first (by submittedAt, then id); `after` is the id of the last run of the previous page. */
  listRuns(filter: ScenarioRunFilter, limit: number, after?: string): Promise<{ runs: ScenarioRunRecord[]; hasNextPage: boolean }>;

  /**
   * Change a run, only while its status is one of `fromStatuses` (so a cancelled run never turns
   * RUNNING again). Returns the run after the change, or null when the status did not allow it.
   */
  updateRun(id: string, patch: ScenarioRunPatch, fromStatuses: string[]): Promise<ScenarioRunRecord | null>;

  /** Remove a run and its results (a submission whose job could not be enqueued). */
  deleteRun(id: string): Promise<void>;

  /**
   * Write results of one run idempotently: one result per (run, asset), a repeat replaces it.
   * Writes only while the run is RUNNING (checked in the same transaction, so a cancelled run
   * never gets results); returns false, writing nothing, otherwise.
   */
  writeResults(runId: string, results: SimulationResultRecord[]): Promise<boolean>;

  /** A run's results by asset id; `after` is the asset id of the last result of the previous page. */
  listResults(runId: string, limit: number, after?: string): Promise<{ results: SimulationResultRecord[]; hasNextPage: boolean; totalCount: number }>;

  /** For each asset, its `last` results from the newest runs, newest first. */
  resultsForAssets(assetIds: string[], last: number): Promise<Map<string, SimulationResultRecord[]>>;

  /** Append audit entries. */
  appendAudit(entries: AuditEntry[]): Promise<void>;

  /** Audit entries newest first; `after` is the id of the last entry of the previous page. */
  listAudit(filter: AuditFilter, limit: number, after?: string): Promise<{ entries: AuditEntry[]; hasNextPage: boolean }>;

  /** Delete audit entries older than `before` (ISO); returns how many. */
  pruneAudit(before: string): Promise<number>;
}
