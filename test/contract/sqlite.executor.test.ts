/**
 * How the embedded store reports SQLite failures (src/graph/sqlite/sqlite-executor.ts): a
 * database locked by another connection is UNAVAILABLE naming the file, a duplicate key is
 * CONFLICT, anything else is left as it is. Real files, real second connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DomainError } from '../../src/errors';
import type { ScenarioRunRecord } from '../../src/graph/scenario-types';
import { SqliteExecutor } from '../../src/graph/sqlite/sqlite-executor';
import { SqliteGraphStore } from '../../src/graph/sqlite/sqlite-graph-store';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twin-sqlite-executor-'));
const model = indexModel(loadTwinModel());
/** Short, so that a write blocked by the other connection fails fast. */
const BUSY_TIMEOUT_MS = 100;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a promise rejected with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
}

function expectLocked(error: unknown, file: string) {
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('UNAVAILABLE');
  expect((error as DomainError).message).toContain(file);
  expect((error as DomainError).message).toMatch(/locked by another process or connection/);
}

const run = (id: string): ScenarioRunRecord => ({
  id,
  kind: 'IMPACT',
  status: 'QUEUED',
  progress: 0,
  seed: 1,
  error: null,
  submittedAt: '2024-03-01T12:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  summary: null,
  input: { kind: 'IMPACT', failed: [], loadFactors: [], seed: 1 },
  idempotencyKey: null,
  engineVersion: null,
  modelVersion: null,
  inputHash: null,
  attempts: 0,
});

describe('sqlite: a database another connection holds the write lock of', () => {
  const file = path.join(dir, 'locked.sqlite');
  let store: SqliteGraphStore;
  let other: Database.Database;

  beforeAll(async () => {
    store = new SqliteGraphStore(file, model, { busyTimeoutMs: BUSY_TIMEOUT_MS });
    await store.init();
    await store.upsertAssets([{ id: 'ups-a', kind: 'UPS', name: 'UPS A' }]);
    other = new Database(file);
  });

  afterAll(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await store.close();
  });

  test('writes fail with UNAVAILABLE naming the file, reads still answer, and writing works again once it is released', async () => {
    other.exec('BEGIN IMMEDIATE');
    expectLocked(await rejection(store.upsertAssets([{ id: 'ups-b', kind: 'UPS' }])), file);
    expectLocked(await rejection(store.applyState([{ assetId: 'ups-a', values: { loadKw: 5 }, observedAt: new Date().toISOString() }], { eventRetentionMs: 60_000 })), file);
    expectLocked(await rejection(store.createRun(run('run-locked'))), file);
    // WAL: readers are not blocked by the writer.
    expect((await store.getAssets(['ups-a', 'ups-b'])).map((a) => a?.id ?? null)).toEqual(['ups-a', null]);

    other.exec('ROLLBACK');
    const [written] = (await store.upsertAssets([{ id: 'ups-b', kind: 'UPS' }])).assets;
    expect(written).toMatchObject({ id: 'ups-b', version: 1 });
    expect((await store.getAssets(['ups-b']))[0]?.id).toBe('ups-b');
    expect(await store.getRuns(['run-locked'])).toEqual([null]);
  });

  test('opening a new store file while another connection holds its lock fails with UNAVAILABLE, and succeeds once released', async () => {
    const fresh = path.join(dir, 'fresh.sqlite');
    const holder = new Database(fresh);
    holder.exec('CREATE TABLE held (x)');
    holder.exec('BEGIN IMMEDIATE');
    const late = new SqliteGraphStore(fresh, model, { busyTimeoutMs: BUSY_TIMEOUT_MS });
    try {
      expectLocked(await rejection(late.init()), fresh);
      holder.exec('ROLLBACK');
      await late.init();
      expect(await late.countAssets({})).toBe(0);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
      await late.close();
    }
  });
});

describe('sqlite: constraint violations', () => {
  test('a scenario run id used twice is a CONFLICT naming the run, and the stored run is unchanged', async () => {
    const store = new SqliteGraphStore(path.join(dir, 'conflict.sqlite'), model);
    await store.init();
    try {
      await store.createRun(run('run-1'));
      const error = await rejection(store.createRun({ ...run('run-1'), seed: 2 }));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'CONFLICT', message: 'scenario run "run-1" already exists' });
      expect((await store.getRuns(['run-1']))[0]?.seed).toBe(1);
    } finally {
      await store.close();
    }
  });

  test('a duplicate unique or primary key is CONFLICT naming the key; another constraint failure is not disguised as one', () => {
    const sql = new SqliteExecutor(path.join(dir, 'executor.sqlite'));
    sql.open();
    try {
      sql.exec('CREATE TABLE things (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
      sql.run('INSERT INTO things (id, name) VALUES (?, ?)', 'a', 'first');

      const failure = (fn: () => unknown) => {
        try {
          fn();
        } catch (err) {
          return err;
        }
        throw new Error('expected the statement to fail');
      };
      for (const [values, constraint] of [
        [['a', 'second'], 'things.id'],
        [['b', 'first'], 'things.name'],
      ] as const) {
        const error = failure(() => sql.run('INSERT INTO things (id, name) VALUES (?, ?)', ...values));
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ code: 'CONFLICT', details: { constraint } });
        expect((error as Error).message).toContain(constraint);
      }
      // In a transaction too, and nothing of it is kept.
      const inTransaction = failure(() =>
        sql.transaction(() => {
          sql.run('INSERT INTO things (id, name) VALUES (?, ?)', 'c', 'third');
          sql.run('INSERT INTO things (id, name) VALUES (?, ?)', 'a', 'fourth');
        }),
      );
      expect(inTransaction).toMatchObject({ code: 'CONFLICT' });
      expect(sql.all('SELECT id FROM things ORDER BY id')).toEqual([{ id: 'a' }]);

      const notNull = failure(() => sql.run('INSERT INTO things (id, name) VALUES (?, NULL)', 'd'));
      expect(notNull).not.toBeInstanceOf(DomainError);
      expect(notNull).toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    } finally {
      sql.close();
    }
  });
});
