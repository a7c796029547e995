/**
 * The GraphStore contract against Neo4j. Needs a running Neo4j 5 / 2025:
 *   NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=... npx jest test/contract/neo4j
 * (NEO4J_USERNAME defaults to neo4j, NEO4J_DATABASE to neo4j). The suite only touches ids with
 * its own run prefix and deletes them afterwards, so a shared database is fine.
 */
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { graphStoreContract } from './graph-store.contract';

const uri = process.env.NEO4J_URI;

if (!uri) {
  console.warn('Neo4j contract suite skipped: set NEO4J_URI (and NEO4J_PASSWORD, optionally NEO4J_USERNAME, NEO4J_DATABASE) to run it.');
}

graphStoreContract(
  'neo4j',
  async () => {
    // Loaded only when the suite runs, so a missing driver setup never breaks the SQLite run.
    const { Neo4jGraphStore } = await import('../../src/graph/neo4j/neo4j-graph-store');
    return new Neo4jGraphStore(
      {
        uri: uri!,
        username: process.env.NEO4J_USERNAME || 'neo4j',
        password: process.env.NEO4J_PASSWORD ?? '',
        database: process.env.NEO4J_DATABASE || 'neo4j',
      },
      indexModel(loadTwinModel()),
    );
  },
  { skip: !uri },
);
