/**
 * Stores made by an earlier release open in the current shape (src/graph/sqlite/sqlite-schema.ts),
 * keeping their data: real files written with the old tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteGraphStore } from '../../src/graph/sqlite/sqlite-graph-store';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twin-sqlite-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tables as the release before results outlived their assets made them (cascade on asset delete). */
function writeOldStore(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE assets (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT, properties TEXT NOT NULL DEFAULT '{}',
      state TEXT NOT NULL DEFAULT '{}', status TEXT, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE scenario_runs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, progress REAL NOT NULL, seed INTEGER NOT NULL,
      error TEXT, submitted_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, summary TEXT, input TEXT NOT NULL, idempotency_key TEXT UNIQUE,
      engine_version TEXT, model_version TEXT, input_hash TEXT, attempts INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
    CREATE TABLE simulation_results (
      run_id TEXT NOT NULL REFERENCES scenario_runs (id) ON DELETE CASCADE,
      asset_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
      state TEXT, depth INTEGER, cause TEXT, availability REAL, availability_low REAL, availability_high REAL,
      load_kw REAL, utilization REAL, overloaded INTEGER, PRIMARY KEY (run_id, asset_id)) WITHOUT ROWID;
    INSERT INTO assets VALUES ('ups-1', 'UPS', NULL, '{}', '{}', NULL, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    INSERT INTO scenario_runs (id, kind, status, progress, seed, submitted_at, input) VALUES ('run-1', 'IMPACT', 'SUCCEEDED', 1, 1, '2026-01-01T00:00:00.000Z', '{}');
    INSERT INTO simulation_results (run_id, asset_id, state, depth) VALUES ('run-1', 'ups-1', 'DOWN', 0);
  `);
  db.close();
}

test('an old store keeps its results, and from then on they outlive their assets', async () => {
  const file = path.join(dir, 'old.db');
  writeOldStore(file);
  const store = new SqliteGraphStore(file, indexModel(loadTwinModel()));
  await store.init();
  try {
    const result = { runId: 'run-1', assetId: 'ups-1', state: 'DOWN', depth: 0 };
    expect((await store.listResults('run-1', 10)).results).toEqual([expect.objectContaining(result)]);
    await store.deleteAssets(['ups-1']);
    expect((await store.listResults('run-1', 10)).results).toEqual([expect.objectContaining({ ...result, assetDeleted: true })]);
    // Deleting the run still takes its results with it.
    await store.deleteRun('run-1');
    expect((await store.listResults('run-1', 10)).totalCount).toBe(0);
  } finally {
    await store.close();
  }
});
