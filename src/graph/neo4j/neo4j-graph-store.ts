import type { ModelIndex } from '../../model/twin-model';
import type { AuditStore, GraphStore, LiveStateStore, ScenarioStore, TopologyHistoryStore, TopologyStore } from '../graph-store';
import { exposePorts } from '../ports/port-methods';
import { CypherExecutor, type Neo4jConnection } from './cypher-executor';
import { CypherQueries } from './cypher-files';
import { AUDIT_QUERY_NAMES, Neo4jAudit } from './neo4j-audit';
import { LIVE_STATE_QUERY_NAMES, Neo4jLiveState } from './neo4j-live-state';
import { Neo4jScenarios, SCENARIO_QUERY_NAMES } from './neo4j-scenarios';
import { Neo4jTopology, TOPOLOGY_QUERY_NAMES } from './neo4j-topology';
import { Neo4jTopologyHistory, TOPOLOGY_HISTORY_QUERY_NAMES } from './neo4j-topology-history';

/** Schema statements applied, in this order, by `init()`; each is idempotent (IF NOT EXISTS). */
export const NEO4J_SCHEMA_QUERIES = [
  'schema-asset-id-unique',
  'schema-asset-kind-index',
  'schema-asset-name-index',
  'schema-state-event-id-unique',
  'schema-state-event-seen-index',
  'schema-rejected-report-id-unique',
  'schema-scenario-run-id-unique',
  'schema-scenario-run-idempotency-key-unique',
  'schema-scenario-run-submitted-index',
  'schema-simulation-result-key-unique',
  'schema-audit-entry-id-unique',
  'schema-audit-entry-at-index',
  'schema-topology-change-id-unique',
  'schema-topology-change-at-index',
  'schema-topology-change-asset-index',
  'schema-topology-change-from-index',
  'schema-topology-change-to-index',
  'schema-topology-history-unique',
] as const;

/** Every query file this adapter runs (`cypher/<name>.cypher`), loaded when it is constructed. */
export const NEO4J_QUERY_NAMES = [
  ...NEO4J_SCHEMA_QUERIES,
  ...TOPOLOGY_QUERY_NAMES,
  ...LIVE_STATE_QUERY_NAMES,
  ...SCENARIO_QUERY_NAMES,
  ...AUDIT_QUERY_NAMES,
  ...TOPOLOGY_HISTORY_QUERY_NAMES,
] as const;

export type Neo4jQueryName = (typeof NEO4J_QUERY_NAMES)[number];

/** Placeholders of the template queries, filled in by the adapter after validation (Neo4jTopology). */
export const NEO4J_TEMPLATE_PLACEHOLDERS: Partial<Record<Neo4jQueryName, string[]>> = {
  'relationship-merge': ['__TYPE__'],
  'asset-page': ['__DIRECTION__'],
  'asset-page-by-id': ['__AFTER__', '__DIRECTION__'],
  'dependency-reach': ['__DEPENDENCY_TYPES__', '__REACH__'],
};

/**
 * The Neo4j GraphStore: one part per kind of data, each implementing its port and documenting
 * its nodes (Neo4jTopology, Neo4jLiveState, Neo4jScenarios, Neo4jAudit,
 * Neo4jTopologyHistory), all running their
 * statements through one CypherExecutor and one set of loaded queries. The store's port methods
 * are those of its parts (see `exposePorts`); the store itself applies the schema and closes the driver.
 * Every statement is a named file in `cypher/`; every batch is one statement (UNWIND) or one
 * transaction. Behaviour matches the embedded SQLite store (the contract suite runs both).
 */
export interface Neo4jGraphStore extends TopologyStore, LiveStateStore, ScenarioStore, AuditStore, TopologyHistoryStore {}

export class Neo4jGraphStore implements GraphStore {
  readonly backend = 'neo4j';
  private readonly executor: CypherExecutor;
  private readonly queries: CypherQueries;
  private readonly topologyHistory: Neo4jTopologyHistory;

  constructor(
    connection: Neo4jConnection,
    model: ModelIndex,
    /** Where the query files are; default the project's `cypher/` folder. */
    cypherDir?: string,
  ) {
    this.queries = CypherQueries.load(NEO4J_QUERY_NAMES, cypherDir);
    this.executor = new CypherExecutor(connection);
    this.topologyHistory = new Neo4jTopologyHistory(this.executor, this.queries);
    exposePorts(this, {
      topology: new Neo4jTopology(this.executor, this.queries, model),
      liveState: new Neo4jLiveState(this.executor, this.queries),
      scenarios: new Neo4jScenarios(this.executor, this.queries),
      audit: new Neo4jAudit(this.executor, this.queries),
      topologyHistory: this.topologyHistory,
    });
  }

  async init(): Promise<void> {
    await this.executor.verifyConnectivity();
    for (const name of NEO4J_SCHEMA_QUERIES) {
      try {
        await this.executor.write(this.queries.get(name));
      } catch (err) {
        // Another instance starting at the same time may have created it first.
        if (!/AlreadyExists$/.test(String((err as { code?: unknown }).code ?? ''))) throw err;
      }
    }
    await this.topologyHistory.begin();
  }

  async close(): Promise<void> {
    await this.executor.close();
  }
}
