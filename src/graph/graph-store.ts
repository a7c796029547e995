import type { AuditStore } from './ports/audit-store';
import type { LiveStateStore } from './ports/live-state-store';
import type { ScenarioStore } from './ports/scenario-store';
import type { TopologyHistoryStore } from './ports/topology-history-store';
import type { TopologyStore } from './ports/topology-store';

export type { AuditStore, LiveStateStore, ScenarioStore, TopologyHistoryStore, TopologyStore };

/** Opening and closing a store, whatever kinds of data it holds. */
export interface StoreLifecycle {
  /** `sqlite` or `neo4j`: shown by health checks and benchmarks. */
  readonly backend: string;

  /** Check connectivity and apply schema (constraints, indexes, tables); idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every port of one database (Neo4j, or the embedded SQLite file): what the composition root
 * opens and closes. Both adapters implement it and pass the same contract suite (test/contract).
 * Everything else receives only the port it uses: TopologyStore, LiveStateStore, ScenarioStore
 * AuditStore or TopologyHistoryStore (src/graph/ports/).
 */
export interface GraphStore extends StoreLifecycle, TopologyStore, LiveStateStore, ScenarioStore, AuditStore, TopologyHistoryStore {}
