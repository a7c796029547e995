import type { AuditStore } from './audit-store';
import type { LiveStateStore } from './live-state-store';
import type { ScenarioStore } from './scenario-store';
import type { TopologyStore } from './topology-store';

/** The method names of a port as a value: the compiler rejects a list that misses or invents one. */
type PortMethods<P> = Record<keyof P, true>;

const TOPOLOGY_METHODS: PortMethods<TopologyStore> = {
  upsertAssets: true,
  deleteAssets: true,
  relate: true,
  unrelate: true,
  getAssets: true,
  getAssetSummaries: true,
  existingIds: true,
  listAssets: true,
  countAssets: true,
  relationshipsOf: true,
  dependencyEdges: true,
  dependencyNeighbours: true,
};
const LIVE_STATE_METHODS: PortMethods<LiveStateStore> = { applyState: true, quarantine: true, listQuarantine: true };
const SCENARIO_METHODS: PortMethods<ScenarioStore> = {
  createRun: true,
  getRuns: true,
  listRuns: true,
  updateRun: true,
  deleteRun: true,
  writeResults: true,
  listResults: true,
  resultsForAssets: true,
};
const AUDIT_METHODS: PortMethods<AuditStore> = { appendAudit: true, listAudit: true, pruneAudit: true };

/** One implementation per port, as an adapter builds them over one connection. */
export interface PortParts {
  topology: TopologyStore;
  liveState: LiveStateStore;
  scenarios: ScenarioStore;
  audit: AuditStore;
}

/**
 * Give `store` every method of every port, each bound to the part that implements it, so that
 * `store.upsertAssets(...)` runs the topology part's. Only the port's own methods are copied
 * (a part's helpers stay private). They are defined like class methods (not enumerable), but
 * writable and configurable, so that a Proxy around the store (tests count calls with one) may
 * report them. `before`, when given, is awaited before every call (the embedded store gives the
 * event loop a turn there).
 */
export function exposePorts(store: object, parts: PortParts, before?: () => Promise<void>): void {
  const expose = (part: object, methods: object) => {
    for (const name of Object.keys(methods)) {
      const method = (part as Record<string, (...args: unknown[]) => Promise<unknown>>)[name].bind(part);
      const value = before ? async (...args: unknown[]) => (await before(), method(...args)) : method;
      Object.defineProperty(store, name, { value, writable: true, configurable: true });
    }
  };
  expose(parts.topology, TOPOLOGY_METHODS);
  expose(parts.liveState, LIVE_STATE_METHODS);
  expose(parts.scenarios, SCENARIO_METHODS);
  expose(parts.audit, AUDIT_METHODS);
}
