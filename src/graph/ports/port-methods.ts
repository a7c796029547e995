import { checkRequestDeadline } from '../request-deadline';
import type { AuditStore } from './audit-store';
import type { LiveStateStore } from './live-state-store';
import type { ScenarioStore } from './scenario-store';
import type { TopologyHistoryStore } from './topology-history-store';
import type { TopologyStore } from './topology-store';

/**
 * The method names of a port as a value, each marked as a read or a write: the compiler rejects a
 * list that misses or invents one.
 */
type PortMethods<P> = Record<keyof P, PortCall>;
export type PortCall = 'read' | 'write';

const TOPOLOGY_METHODS: PortMethods<TopologyStore> = {
  upsertAssets: 'write',
  deleteAssets: 'write',
  relate: 'write',
  unrelate: 'write',
  getAssets: 'read',
  getAssetSummaries: 'read',
  existingIds: 'read',
  listAssets: 'read',
  countAssets: 'read',
  relationshipsOf: 'read',
  dependencyEdges: 'read',
  dependencyNeighbours: 'read',
  dependencyNeighboursWithin: 'read',
};
/** The topology port's writes by name: what a reader kept beside the store must catch up past. */
export const TOPOLOGY_WRITES = (Object.keys(TOPOLOGY_METHODS) as (keyof TopologyStore)[]).filter((name) => TOPOLOGY_METHODS[name] === 'write');

const LIVE_STATE_METHODS: PortMethods<LiveStateStore> = { applyState: 'write', quarantine: 'write', listQuarantine: 'read' };
const SCENARIO_METHODS: PortMethods<ScenarioStore> = {
  createRun: 'write',
  getRuns: 'read',
  listRuns: 'read',
  updateRun: 'write',
  deleteRun: 'write',
  writeResults: 'write',
  listResults: 'read',
  resultsForAssets: 'read',
};
const AUDIT_METHODS: PortMethods<AuditStore> = { appendAudit: 'write', listAudit: 'read', pruneAudit: 'write' };
const TOPOLOGY_HISTORY_METHODS: PortMethods<TopologyHistoryStore> = {
  topologyHistoryStart: 'read',
  firstChangesSince: 'read',
  listTopologyChanges: 'read',
  topologyChangesAfter: 'read',
  countTopologyChanges: 'read',
  pruneTopologyHistory: 'write',
};

/** One implementation per port, as an adapter builds them over one connection. */
export interface PortParts {
  topology: TopologyStore;
  liveState: LiveStateStore;
  scenarios: ScenarioStore;
  audit: AuditStore;
  topologyHistory: TopologyHistoryStore;
}

/**
 * Give `store` every method of every port, each bound to the part that implements it, so that
 * `store.upsertAssets(...)` runs the topology part's. Only the port's own methods are copied
 * (a part's helpers stay private). They are defined like class methods (not enumerable), but
 * writable and configurable, so that a Proxy around the store (tests count calls with one) may
 * report them. Every read first checks the request's deadline (QUERY_TIMEOUT_MS, see
 * request-deadline.ts); `before`, when given, is awaited before every call (the embedded store
 * gives the event loop a turn there).
 */
export function exposePorts(store: object, parts: PortParts, before?: () => Promise<void>): void {
  const expose = (part: object, methods: Record<string, PortCall>) => {
    for (const [name, call] of Object.entries(methods)) {
      const method = (part as Record<string, (...args: unknown[]) => Promise<unknown>>)[name].bind(part);
      const value = async (...args: unknown[]) => {
        if (before) await before();
        if (call === 'read') checkRequestDeadline();
        return method(...args);
      };
      Object.defineProperty(store, name, { value, writable: true, configurable: true });
    }
  };
  expose(parts.topology, TOPOLOGY_METHODS);
  expose(parts.liveState, LIVE_STATE_METHODS);
  expose(parts.scenarios, SCENARIO_METHODS);
  expose(parts.audit, AUDIT_METHODS);
  expose(parts.topologyHistory, TOPOLOGY_HISTORY_METHODS);
}
