/** The TopologyStore contract against the embedded SQLite adapter, on a fresh temp file. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteGraphStore } from '../../src/graph/sqlite/sqlite-graph-store';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { TopologyIndex, withTopologyIndex } from '../../src/graph/topology-index';
import { topologyIndexContract } from './topology-index.contract';
import { topologyChangesContract } from './topology-changes.contract';
import { topologyHistoryContract } from './topology-history.contract';
import { topologyTraversalContract } from './topology-traversal.contract';
import { topologyContract } from './topology.contract';

const dir = mkdtempSync(path.join(os.tmpdir(), 'twin-contract-'));
const makeStore = async () => new SqliteGraphStore(path.join(dir, 'contract.sqlite'), indexModel(loadTwinModel()));

topologyContract('sqlite', makeStore);
topologyTraversalContract('sqlite', makeStore, { bringsSummaries: false });
topologyChangesContract('sqlite', makeStore);
topologyHistoryContract('sqlite', makeStore);

// The same traversals with the dependency reads answered by the in-memory index.
const indexed = async () => {
  const store = await makeStore();
  return withTopologyIndex(store, new TopologyIndex(store, indexModel(loadTwinModel()), { maxAssets: 1_000_000, settleMs: 35_000 }));
};
topologyTraversalContract('sqlite, topology index', indexed, { bringsSummaries: true });
topologyIndexContract('sqlite', makeStore);

// Runs after the suites' own afterAll hooks have closed their stores.
afterAll(() => rmSync(dir, { recursive: true, force: true }));
