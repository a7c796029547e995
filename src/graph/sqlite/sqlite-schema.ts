/**
 * The tables of the embedded store, all in one file (they reference each other), applied at
 * start-up; every statement is idempotent.
 */
import type { SqliteExecutor } from './sqlite-executor';

/** Topology (assets, relationships) and live state (the state columns, seen events, the quarantine). */
const GRAPH_SCHEMA = `
CREATE TABLE IF NOT EXISTS assets (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT,
  properties TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT '{}',
  state_observed_at TEXT NOT NULL DEFAULT '{}',
  status TEXT,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS assets_kind ON assets (kind, id);
CREATE TABLE IF NOT EXISTS relationships (
  from_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  to_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  properties TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (from_id, type, to_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relationships_to ON relationships (to_id, type);
CREATE TABLE IF NOT EXISTS state_events (
  event_id TEXT PRIMARY KEY,
  seen_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state_events_seen ON state_events (seen_at);
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at TEXT NOT NULL,
  asset_id TEXT,
  reason TEXT NOT NULL,
  record TEXT NOT NULL
);
`;

const resultsTable = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  run_id TEXT NOT NULL REFERENCES scenario_runs (id) ON DELETE CASCADE,
  asset_id TEXT NOT NULL,
  state TEXT,
  depth INTEGER,
  cause TEXT,
  availability REAL,
  availability_low REAL,
  availability_high REAL,
  load_kw REAL,
  utilization REAL,
  overloaded INTEGER,
  observed_load_kw REAL,
  error_kw REAL,
  failures INTEGER,
  mtbf_hours REAL,
  mttr_hours REAL,
  asset_deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, asset_id)
) WITHOUT ROWID;`;

/**
 * Scenario runs and simulation results: the SQLite equivalent of
 * `(:ScenarioRun)-[:HAS_RESULT]->(:SimulationResult)-[:FOR]->(:Asset)`. Results go when their
 * run is deleted, and outlive their asset (marked `asset_deleted`): a finished run's summary
 * counts them, and decisions are history. So `asset_id` has no foreign key.
 */
const SCENARIO_SCHEMA = `
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
${resultsTable('simulation_results')}
CREATE INDEX IF NOT EXISTS simulation_results_asset ON simulation_results (asset_id);
`;

/** The audit trail. */
const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  operation TEXT NOT NULL,
  ids TEXT NOT NULL,
  id_count INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  error TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
`;

/**
 * Topology history (src/graph/topology-log.ts): every change, written in the transaction of the
 * write it describes, and when the store began keeping it (history cannot tell the twin as it was
 * before that; a store created before this table starts its history when it first opens with it).
 */
const TOPOLOGY_HISTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS topology_changes (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  entity TEXT NOT NULL,
  action TEXT NOT NULL,
  key TEXT NOT NULL,
  asset_id TEXT,
  from_id TEXT,
  type TEXT,
  to_id TEXT,
  before TEXT,
  after TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS topology_changes_at ON topology_changes (at, key);
-- The ids alone: the topology index counts recent changes on every catch-up, and a count over
-- the table itself walks every row's before/after text (30x the pages after a bulk import).
CREATE INDEX IF NOT EXISTS topology_changes_id ON topology_changes (id);
CREATE INDEX IF NOT EXISTS topology_changes_asset ON topology_changes (asset_id, id);
CREATE INDEX IF NOT EXISTS topology_changes_from ON topology_changes (from_id, id);
CREATE INDEX IF NOT EXISTS topology_changes_to ON topology_changes (to_id, id);
CREATE TABLE IF NOT EXISTS topology_history (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  started_at TEXT NOT NULL
);
INSERT OR IGNORE INTO topology_history (singleton, started_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
`;

/** Columns added after the first release, for stores created before them. */
const ADDED_COLUMNS: [table: string, column: string, definition: string][] = [
  ['assets', 'state_observed_at', "TEXT NOT NULL DEFAULT '{}'"],
  ['simulation_results', 'observed_load_kw', 'REAL'],
  ['simulation_results', 'error_kw', 'REAL'],
  ['simulation_results', 'failures', 'INTEGER'],
  ['simulation_results', 'mtbf_hours', 'REAL'],
  ['simulation_results', 'mttr_hours', 'REAL'],
];

/** Create what is missing: tables, indexes, and columns added since a store was created. */
export function applySchema(sql: SqliteExecutor): void {
  for (const schema of [GRAPH_SCHEMA, SCENARIO_SCHEMA, AUDIT_SCHEMA, TOPOLOGY_HISTORY_SCHEMA]) sql.exec(schema);
  keepResultsOfDeletedAssets(sql);
  for (const [table, column, definition] of ADDED_COLUMNS) {
    const columns = sql.all<{ name: string }>(`PRAGMA table_info(${table})`);
    if (!columns.some((c) => c.name === column)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}

/**
 * Stores created before results outlived their assets have `asset_id REFERENCES assets ON DELETE
 * CASCADE`, which SQLite cannot drop in place: copy the table into the new shape once.
 */
function keepResultsOfDeletedAssets(sql: SqliteExecutor): void {
  const keys = sql.all<{ table: string }>('PRAGMA foreign_key_list(simulation_results)');
  if (!keys.some((k) => k.table === 'assets')) return;
  sql.transaction(() => {
    sql.exec(`${resultsTable('simulation_results_new')}
      INSERT INTO simulation_results_new (run_id, asset_id, state, depth, cause, availability, availability_low,
        availability_high, load_kw, utilization, overloaded)
      SELECT run_id, asset_id, state, depth, cause, availability, availability_low, availability_high, load_kw,
        utilization, overloaded FROM simulation_results;
      DROP TABLE simulation_results;
      ALTER TABLE simulation_results_new RENAME TO simulation_results;
      CREATE INDEX IF NOT EXISTS simulation_results_asset ON simulation_results (asset_id);`);
  }, 'immediate');
}
