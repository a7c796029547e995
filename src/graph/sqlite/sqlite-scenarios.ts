import { DomainError } from '../../errors';
import type { ScenarioStore } from '../ports/scenario-store';
import { outcomeOf, type ScenarioRunFilter, type ScenarioRunPatch, type ScenarioRunRecord, type SimulationResultRecord } from '../scenario-types';
import type { SqliteExecutor } from './sqlite-executor';
import { IN_LIST, Where, alignById, listPerId, readPage } from './sqlite-sql';
import { existingAssetIds } from './sqlite-topology';

/**
 * Scenario runs and simulation results in the embedded store (tables in sqlite-schema.ts): the
 * SQLite equivalent of `(:ScenarioRun)-[:HAS_RESULT]->(:SimulationResult)-[:FOR]->(:Asset)`.
 */

interface RunRow {
  id: string;
  kind: string;
  status: string;
  progress: number;
  seed: number;
  error: string | null;
  submitted_at: string;
  started_at: string | null;
  finished_at: string | null;
  summary: string | null;
  input: string;
  idempotency_key: string | null;
  engine_version: string | null;
  model_version: string | null;
  input_hash: string | null;
  attempts: number;
}

interface ResultRow {
  run_id: string;
  asset_id: string;
  state: string | null;
  depth: number | null;
  cause: string | null;
  availability: number | null;
  availability_low: number | null;
  availability_high: number | null;
  load_kw: number | null;
  utilization: number | null;
  overloaded: number | null;
  observed_load_kw: number | null;
  error_kw: number | null;
  failures: number | null;
  mtbf_hours: number | null;
  mttr_hours: number | null;
  asset_deleted: number;
}

const toRun = (row: RunRow): ScenarioRunRecord => ({
  id: row.id,
  kind: row.kind as ScenarioRunRecord['kind'],
  status: row.status as ScenarioRunRecord['status'],
  progress: row.progress,
  seed: row.seed,
  error: row.error,
  submittedAt: row.submitted_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  summary: row.summary === null ? null : (JSON.parse(row.summary) as Record<string, unknown>),
  input: JSON.parse(row.input) as ScenarioRunRecord['input'],
  idempotencyKey: row.idempotency_key,
  engineVersion: row.engine_version,
  modelVersion: row.model_version,
  inputHash: row.input_hash,
  attempts: row.attempts,
});

const toResult = (row: ResultRow): SimulationResultRecord => ({
  runId: row.run_id,
  assetId: row.asset_id,
  state: row.state as SimulationResultRecord['state'],
  depth: row.depth,
  cause: row.cause,
  availability: row.availability,
  availabilityLow: row.availability_low,
  availabilityHigh: row.availability_high,
  loadKw: row.load_kw,
  utilization: row.utilization,
  overloaded: row.overloaded === null ? null : row.overloaded === 1,
  observedLoadKw: row.observed_load_kw,
  errorKw: row.error_kw,
  failures: row.failures,
  mtbfHours: row.mtbf_hours,
  mttrHours: row.mttr_hours,
  ...(row.asset_deleted === 1 && { assetDeleted: true }),
});

const RUN_COLUMNS: Record<keyof ScenarioRunPatch, string> = {
  status: 'status',
  progress: 'progress',
  error: 'error',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  summary: 'summary',
  engineVersion: 'engine_version',
  modelVersion: 'model_version',
  inputHash: 'input_hash',
  attempts: 'attempts',
};


const readRuns = (sql: SqliteExecutor, ids: string[]) =>
  alignById(ids, sql.all<RunRow>(`SELECT * FROM scenario_runs WHERE id ${IN_LIST}`, JSON.stringify(ids)), toRun);

export class SqliteScenarios implements ScenarioStore {
  constructor(private readonly sql: SqliteExecutor) {}

  async createRun(run: ScenarioRunRecord): Promise<{ run: ScenarioRunRecord; created: boolean }> {
    try {
      return this.sql.transaction(() => {
        if (run.idempotencyKey !== null) {
          const existing = this.sql.get<RunRow>('SELECT * FROM scenario_runs WHERE idempotency_key = ?', run.idempotencyKey);
          if (existing) return { run: toRun(existing), created: false };
        }
        this.sql.run(
          `INSERT INTO scenario_runs (id, kind, status, progress, seed, error, submitted_at, started_at, finished_at, summary,
             input, idempotency_key, engine_version, model_version, input_hash, attempts)
           VALUES (@id, @kind, @status, @progress, @seed, @error, @submittedAt, @startedAt, @finishedAt, @summary,
             @input, @idempotencyKey, @engineVersion, @modelVersion, @inputHash, @attempts)`,
          { ...run, summary: run.summary === null ? null : JSON.stringify(run.summary), input: JSON.stringify(run.input) },
        );
        return { run, created: true };
      }, 'immediate');
    } catch (err) {
      // Like the Neo4j store's unique constraint: a run id used twice is a conflict, not a crash.
      if (err instanceof DomainError && err.code === 'CONFLICT' && err.details.constraint === 'scenario_runs.id') {
        throw new DomainError('CONFLICT', `scenario run "${run.id}" already exists`, { id: run.id });
      }
      throw err;
    }
  }

  async getRuns(ids: string[]): Promise<(ScenarioRunRecord | null)[]> {
    return readRuns(this.sql, ids);
  }

  async listRuns(filter: ScenarioRunFilter, pageSize: number, after?: string): Promise<{ runs: ScenarioRunRecord[]; hasNextPage: boolean }> {
    const where = new Where();
    if (filter.statuses) where.add(`status ${IN_LIST}`, JSON.stringify(filter.statuses));
    if (filter.kinds) where.add(`kind ${IN_LIST}`, JSON.stringify(filter.kinds));
    if (after !== undefined) {
      const cursor = this.sql.get<{ submitted_at: string }>('SELECT submitted_at FROM scenario_runs WHERE id = ?', after);
      if (!cursor) return { runs: [], hasNextPage: false };
      where.add('(submitted_at < ? OR (submitted_at = ? AND id < ?))', cursor.submitted_at, cursor.submitted_at, after);
    }
    const { rows, hasNextPage } = readPage(pageSize, (limit) =>
      this.sql.all<RunRow>(`SELECT * FROM scenario_runs ${where.sql} ORDER BY submitted_at DESC, id DESC LIMIT ?`, ...where.params, limit),
    );
    return { runs: rows.map(toRun), hasNextPage };
  }

  async updateRun(id: string, patch: ScenarioRunPatch, fromStatuses: string[]): Promise<ScenarioRunRecord | null> {
    // Only the patchable fields, and only those given: an undefined value leaves the field alone
    // (a null clears it).
    const entries = (Object.entries(patch) as [keyof ScenarioRunPatch, unknown][]).filter(
      ([key, value]) => value !== undefined && Object.hasOwn(RUN_COLUMNS, key),
    );
    const values = Object.fromEntries(entries.map(([key, value]) => [key, key === 'summary' && value !== null ? JSON.stringify(value) : value]));
    // An empty patch still checks the status (and returns the run when it allows the change).
    const sets = entries.length > 0 ? entries.map(([key]) => `${RUN_COLUMNS[key]} = @${key}`) : ['id = id'];
    return this.sql.transaction(() => {
      const changed = this.sql.run(`UPDATE scenario_runs SET ${sets.join(', ')} WHERE id = @id AND status ${IN_LIST.replace('?', '@from')}`, {
        ...values,
        id,
        from: JSON.stringify(fromStatuses),
      });
      return changed ? readRuns(this.sql, [id])[0] : null;
    }, 'immediate');
  }

  async deleteRun(id: string): Promise<void> {
    this.sql.run('DELETE FROM scenario_runs WHERE id = ?', id);
  }

  /**
   * Results of run `runId` (each record's own `runId` is not consulted), written only while the
   * run is RUNNING: the status is read under the write lock, so a cancel either comes first (and
   * nothing is written) or waits for this write. Results for assets deleted since the snapshot are
   * dropped rather than failing the write.
   */
  async writeResults(runId: string, results: SimulationResultRecord[]): Promise<boolean> {
    return this.sql.transaction(() => {
      const run = this.sql.get<{ status: string }>('SELECT status FROM scenario_runs WHERE id = ?', runId);
      if (run?.status !== 'RUNNING') return false;
      const assets = existingAssetIds(this.sql, [...new Set(results.map((r) => r.assetId))]);
      for (const r of results) {
        if (!assets.has(r.assetId)) continue;
        this.sql.run(
          `INSERT OR REPLACE INTO simulation_results (run_id, asset_id, state, depth, cause, availability, availability_low,
             availability_high, load_kw, utilization, overloaded, observed_load_kw, error_kw,
             failures, mtbf_hours, mttr_hours)
           VALUES (@runId, @assetId, @state, @depth, @cause, @availability, @availabilityLow, @availabilityHigh, @loadKw, @utilization, @overloaded, @observedLoadKw, @errorKw,
             @failures, @mtbfHours, @mttrHours)`,
          { runId, assetId: r.assetId, ...outcomeOf(r), overloaded: r.overloaded == null ? null : Number(r.overloaded) },
        );
      }
      return true;
    }, 'immediate');
  }

  async listResults(
    runId: string,
    pageSize: number,
    after?: string,
  ): Promise<{ results: SimulationResultRecord[]; hasNextPage: boolean; totalCount: number }> {
    const { rows, hasNextPage } = readPage(pageSize, (limit) =>
      this.sql.all<ResultRow>(
        'SELECT * FROM simulation_results WHERE run_id = ? AND (? IS NULL OR asset_id > ?) ORDER BY asset_id LIMIT ?',
        runId,
        after ?? null,
        after ?? null,
        limit,
      ),
    );
    const { n } = this.sql.get<{ n: number }>('SELECT count(*) AS n FROM simulation_results WHERE run_id = ?', runId)!;
    return { results: rows.map(toResult), hasNextPage, totalCount: n };
  }

  async resultsForAssets(assetIds: string[], last: number): Promise<Map<string, SimulationResultRecord[]>> {
    const rows = this.sql.all<ResultRow>(
      `SELECT * FROM (
         SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.asset_id ORDER BY s.submitted_at DESC, s.id DESC) AS rank
         FROM simulation_results r JOIN scenario_runs s ON s.id = r.run_id
         WHERE r.asset_id ${IN_LIST} AND NOT r.asset_deleted AND s.status = 'SUCCEEDED')
       WHERE rank <= ? ORDER BY asset_id, rank`,
      JSON.stringify(assetIds),
      last,
    );
    const out = listPerId<SimulationResultRecord>(assetIds);
    for (const row of rows) out.get(row.asset_id)?.push(toResult(row));
    return out;
  }
}
