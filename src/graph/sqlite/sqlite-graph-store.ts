import type { ModelIndex } from '../../model/twin-model';
import type { AuditStore, GraphStore, LiveStateStore, ScenarioStore, TopologyHistoryStore, TopologyStore } from '../graph-store';
import { exposePorts } from '../ports/port-methods';
import { SqliteAudit } from './sqlite-audit';
import { EventLoopTurns } from './event-loop-turns';
import { SqliteExecutor, type SqliteExecutorOptions } from './sqlite-executor';
import { SqliteLiveState } from './sqlite-live-state';
import { applySchema } from './sqlite-schema';
import { SqliteScenarios } from './sqlite-scenarios';
import { SqliteTopology } from './sqlite-topology';
import { SqliteTopologyHistory } from './sqlite-topology-history';

export type SqliteGraphStoreOptions = SqliteExecutorOptions;

/**
 * The embedded GraphStore: one SQLite file in WAL mode, queried synchronously in-process through
 * one SqliteExecutor shared by the parts, one per port (topology, live state, scenarios, audit, topology history),
 * whose port methods are this store's (see `exposePorts`). Calls give the event loop a turn
 * every few milliseconds (EventLoopTurns), so a long chain of them does not hold other requests,
 * and reads stop at the request's deadline (QUERY_TIMEOUT_MS, see request-deadline.ts).
 */
export interface SqliteGraphStore extends TopologyStore, LiveStateStore, ScenarioStore, AuditStore, TopologyHistoryStore {}

export class SqliteGraphStore implements GraphStore {
  readonly backend = 'sqlite';
  private readonly sql: SqliteExecutor;
  private readonly turns = new EventLoopTurns();

  constructor(
    /** Path of the database file; its folder is created when missing. */
    file: string,
    model: ModelIndex,
    options: SqliteGraphStoreOptions = {},
  ) {
    this.sql = new SqliteExecutor(file, options);
    exposePorts(this, {
      topology: new SqliteTopology(this.sql, model, () => this.turns.take()),
      liveState: new SqliteLiveState(this.sql),
      scenarios: new SqliteScenarios(this.sql),
      audit: new SqliteAudit(this.sql),
      topologyHistory: new SqliteTopologyHistory(this.sql),
    }, () => this.turns.take());
  }

  async init(): Promise<void> {
    if (this.sql.isOpen) return; // already initialised: keep the one connection
    this.sql.open();
    applySchema(this.sql);
  }

  async close(): Promise<void> {
    this.sql.close();
  }
}
