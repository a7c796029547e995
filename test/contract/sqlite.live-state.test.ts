/** The LiveStateStore contract against the embedded SQLite adapter, on a fresh temp file. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteGraphStore } from '../../src/graph/sqlite/sqlite-graph-store';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { liveStateContract } from './live-state.contract';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twin-contract-'));
const makeStore = async () => new SqliteGraphStore(path.join(dir, 'contract.sqlite'), indexModel(loadTwinModel()));

liveStateContract('sqlite', makeStore);

// Runs after the suite's own afterAll has closed the store.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
