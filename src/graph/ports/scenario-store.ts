import type { ScenarioRunFilter, ScenarioRunPatch, ScenarioRunRecord, SimulationResultRecord } from '../scenario-types';

/** Scenario runs and their simulation results. */
export interface ScenarioStore {
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
}
