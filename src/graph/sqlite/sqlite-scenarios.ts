import type Database from 'better-sqlite3';
import { DomainError } from '../../errors';
import type { ScenarioRunFilter, ScenarioRunPatch, ScenarioRunRecord, SimulationResultRecord } from '../scenario-types';

/**
 * Scenario runs and simulation results in the embedded store: the SQLite equivalent of
 * `(:ScenarioRun)-[:HAS_RESULT]->(:SimulationResult)-[:FOR]->(:Asset)`. Results go when their
 * run or their asset is deleted.
 */
export const SCENARIO_SCHEMA = `
CREATE TABLE IF NOT EXISTS scenario_runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  progress REAL NOT NULL,
  seed INTEGER NOT NULL,
  error TEXT,
  submitted_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  summary TEXT,
  input TEXT NOT NULL,
  idempotency_key TEXT UNIQUE,
  engine_version TEXT,
  model_version TEXT,
  input_hash TEXT,
  attempts INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS scenario_runs_submitted ON scenario_runs (submitted_at, id);
CREATE TABLE IF NOT EXISTS simulation_results (
  run_id TEXT NOT NULL REFERENCES scenario_runs (id) ON DELETE CASCADE,
  asset_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  state TEXT,
  depth INTEGER,
  cause TEXT,
  availability REAL,
  availability_low REAL,
  availability_high REAL,
  load_kw REAL,
  utilization REAL,
  overloaded INTEGER,
  PRIMARY KEY (run_id, asset_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS simulation_results_asset ON simulation_results (asset_id);
`;

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
}

const IN_LIST = 'IN (SELECT value FROM json_each(?))';

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

export class SqliteScenarios {
  constructor(private readonly db: Database.Database) {}

  createRun(run: ScenarioRunRecord): { run: ScenarioRunRecord; created: boolean } {
    const create = this.db.transaction(() => {
      if (run.idempotencyKey !== null) {
        const existing = this.db.prepare<[string], RunRow>('SELECT * FROM scenario_runs WHERE idempotency_key = ?').get(run.idempotencyKey);
        if (existing) return { run: toRun(existing), created: false };
      }
      this.db
        .prepare(
          `INSERT INTO scenario_runs (id, kind, status, progress, seed, error, submitted_at, started_at, finished_at, summary,
             input, idempotency_key, engine_version, model_version, input_hash, attempts)
           VALUES (@id, @kind, @status, @progress, @seed, @error, @submittedAt, @startedAt, @finishedAt, @summary,
             @input, @idempotencyKey, @engineVersion, @modelVersion, @inputHash, @attempts)`,
        )
        .run({ ...run, summary: run.summary === null ? null : JSON.stringify(run.summary), input: JSON.stringify(run.input) });
      return { run, created: true };
    });
    try {
      return create.immediate();
    } catch (err) {
      // Like the Neo4j store's unique constraint: a run id used twice is a conflict, not a crash.
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new DomainError('CONFLICT', `scenario run "${run.id}" already exists`, { id: run.id });
      }
      throw err;
    }
  }

  getRuns(ids: string[]): (ScenarioRunRecord | null)[] {
    const rows = this.db.prepare<[string], RunRow>(`SELECT * FROM scenario_runs WHERE id ${IN_LIST}`).all(JSON.stringify(ids));
    const byId = new Map(rows.map((row) => [row.id, toRun(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  listRuns(filter: ScenarioRunFilter, pageSize: number, after?: string): { runs: ScenarioRunRecord[]; hasNextPage: boolean } {
    const limit = Math.max(0, Math.floor(pageSize));
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.statuses) {
      conditions.push(`status ${IN_LIST}`);
      params.push(JSON.stringify(filter.statuses));
    }
    if (filter.kinds) {
      conditions.push(`kind ${IN_LIST}`);
      params.push(JSON.stringify(filter.kinds));
    }
    if (after !== undefined) {
      const cursor = this.db.prepare<[string], { submitted_at: string }>('SELECT submitted_at FROM scenario_runs WHERE id = ?').get(after);
      if (!cursor) return { runs: [], hasNextPage: false };
      conditions.push('(submitted_at < ? OR (submitted_at = ? AND id < ?))');
      params.push(cursor.submitted_at, cursor.submitted_at, after);
    }
    const rows = this.db
      .prepare<unknown[], RunRow>(
        `SELECT * FROM scenario_runs ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
         ORDER BY submitted_at DESC, id DESC LIMIT ?`,
      )
      .all(...params, limit + 1);
    return { runs: rows.slice(0, limit).map(toRun), hasNextPage: rows.length > limit };
  }

  updateRun(id: string, patch: ScenarioRunPatch, fromStatuses: string[]): ScenarioRunRecord | null {
    // Only the patchable fields, and only those given: an undefined value leaves the field alone
    // (a null clears it).
    const entries = (Object.entries(patch) as [keyof ScenarioRunPatch, unknown][]).filter(
      ([key, value]) => value !== undefined && Object.hasOwn(RUN_COLUMNS, key),
    );
    const values = Object.fromEntries(entries.map(([key, value]) => [key, key === 'summary' && value !== null ? JSON.stringify(value) : value]));
    // An empty patch still checks the status (and returns the run when it allows the change).
    const sets = entries.length > 0 ? entries.map(([key]) => `${RUN_COLUMNS[key]} = @${key}`) : ['id = id'];
    return this.db.transaction(() => {
      const changed = this.db
        .prepare(`UPDATE scenario_runs SET ${sets.join(', ')} WHERE id = @id AND status ${IN_LIST.replace('?', '@from')}`)
        .run({ ...values, id, from: JSON.stringify(fromStatuses) }).changes;
      return changed ? this.getRuns([id])[0] : null;
    }).immediate();
  }

  deleteRun(id: string): void {
    this.db.prepare('DELETE FROM scenario_runs WHERE id = ?').run(id);
  }

  /**
   * Results of run `runId` (each record's own `runId` is not consulted), written only while the
   * run is RUNNING: the status is read under the write lock, so a cancel either comes first (and
   * nothing is written) or waits for this write. Results for assets deleted since the snapshot are
   * dropped rather than failing the write.
   */
  writeResults(runId: string, results: SimulationResultRecord[]): boolean {
    const save = this.db.prepare(
      `INSERT OR REPLACE INTO simulation_results (run_id, asset_id, state, depth, cause, availability, availability_low,
         availability_high, load_kw, utilization, overloaded)
       VALUES (@runId, @assetId, @state, @depth, @cause, @availability, @availabilityLow, @availabilityHigh, @loadKw, @utilization, @overloaded)`,
    );
    return this.db.transaction(() => {
      const run = this.db.prepare<[string], { status: string }>('SELECT status FROM scenario_runs WHERE id = ?').get(runId);
      if (run?.status !== 'RUNNING') return false;
      const assets = new Set(
        this.db
          .prepare<[string], { id: string }>(`SELECT id FROM assets WHERE id ${IN_LIST}`)
          .all(JSON.stringify([...new Set(results.map((r) => r.assetId))]))
          .map((r) => r.id),
      );
      for (const r of results) {
        if (!assets.has(r.assetId)) continue;
        save.run({
          runId,
          assetId: r.assetId,
          state: r.state ?? null,
          depth: r.depth ?? null,
          cause: r.cause ?? null,
          availability: r.availability ?? null,
          availabilityLow: r.availabilityLow ?? null,
          availabilityHigh: r.availabilityHigh ?? null,
          loadKw: r.loadKw ?? null,
          utilization: r.utilization ?? null,
          overloaded: r.overloaded === null || r.overloaded === undefined ? null : Number(r.overloaded),
        });
      }
      return true;
    }).immediate();
  }

  listResults(runId: string, pageSize: number, after?: string): { results: SimulationResultRecord[]; hasNextPage: boolean; totalCount: number } {
    // A negative LIMIT means no limit in SQLite: clamp, as listAssets does.
    const limit = Math.max(0, Math.floor(pageSize));
    const rows = this.db
      .prepare<[string, string | null, string | null, number], ResultRow>(
        'SELECT * FROM simulation_results WHERE run_id = ? AND (? IS NULL OR asset_id > ?) ORDER BY asset_id LIMIT ?',
      )
      .all(runId, after ?? null, after ?? null, limit + 1);
    const { n } = this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM simulation_results WHERE run_id = ?').get(runId)!;
    return { results: rows.slice(0, limit).map(toResult), hasNextPage: rows.length > limit, totalCount: n };
  }

  resultsForAssets(assetIds: string[], last: number): Map<string, SimulationResultRecord[]> {
    const rows = this.db
      .prepare<[string, number], ResultRow>(
        `SELECT * FROM (
           SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.asset_id ORDER BY s.submitted_at DESC, s.id DESC) AS rank
           FROM simulation_results r JOIN scenario_runs s ON s.id = r.run_id
           WHERE r.asset_id ${IN_LIST} AND s.status = 'SUCCEEDED')
         WHERE rank <= ? ORDER BY asset_id, rank`,
      )
      .all(JSON.stringify(assetIds), last);
    const out = new Map<string, SimulationResultRecord[]>(assetIds.map((id) => [id, []]));
    for (const row of rows) out.get(row.asset_id)?.push(toResult(row));
    return out;
  }
}
