/**
 * The TopologyStore contract against a real Neo4j: the one the `neo4j` jest project started (or
 * TEST_NEO4J_URI). The suite only touches ids with its own run prefix and deletes them afterwards.
 */
import { Neo4jGraphStore } from '../../src/graph/neo4j/neo4j-graph-store';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { neo4jConfig } from '../support/stores/test-store';
import { TopologyIndex, withTopologyIndex } from '../../src/graph/topology-index';
import { topologyIndexContract } from './topology-index.contract';
import { topologyChangesContract } from './topology-changes.contract';
import { topologyHistoryContract } from './topology-history.contract';
import { topologyTraversalContract } from './topology-traversal.contract';
import { topologyContract } from './topology.contract';

const makeStore = async () => new Neo4jGraphStore(neo4jConfig(), indexModel(loadTwinModel()));

topologyContract('neo4j', makeStore);
topologyTraversalContract('neo4j', makeStore, { bringsSummaries: true });
topologyChangesContract('neo4j', makeStore);
topologyHistoryContract('neo4j', makeStore);

// The same traversals with the dependency reads answered by the in-memory index.
const indexed = async () => {
  const store = await makeStore();
  return withTopologyIndex(store, new TopologyIndex(store, indexModel(loadTwinModel()), { maxAssets: 1_000_000, settleMs: 35_000 }));
};
topologyTraversalContract('neo4j, topology index', indexed, { bringsSummaries: true });
topologyIndexContract('neo4j', makeStore);
