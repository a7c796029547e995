import type { AuditTrail } from '../audit/audit-trail';
import type { Authenticator } from '../auth/authenticator';
import { ANONYMOUS, type Principal } from '../auth/principal';
import type { Config } from '../config';
import type { TopologyIndex } from '../graph/topology-index';
import type { GraphStore } from '../graph/graph-store';
import type { HistoryStore } from '../history/history-store';
import type { DeliveryObserver } from '../live/delivery-observer';
import type { StateIngestor } from '../live/state-ingestor';
import type { TopologyPublisher } from '../live/topology-events';
import type { PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ScenarioService } from '../sim-queue/scenario-service';
import type { ModelIndex } from '../model/twin-model';
import type { TopologyScope } from './as-of';
import { createLoaders, type Loaders } from './loaders';
import type { Neighbourhoods } from './neighbourhoods';

/** What every resolver receives; built fresh per request so DataLoader caches never leak. */
export interface RequestContext {
  /** The store, its dependency reads answered by `topologyIndex` when that is current. */
  store: GraphStore;
  /** The in-memory dependency graph (its state shows in /readyz and metrics). */
  topologyIndex: TopologyIndex;
  /** State history (observations over time). */
  history: HistoryStore;
  model: ModelIndex;
  config: Config;
  logger: Logger;
  pubsub: PubSub;
  /** Publishes what topology writes changed. */
  topology: TopologyPublisher;
  ingestor: StateIngestor;
  scenarios: ScenarioService;
  authenticator: Authenticator;
  audit: AuditTrail;
  /** The instance's live neighbourhoods, shared by `assetStateChanged(within)` subscriptions. */
  neighbourhoods: Neighbourhoods;
  /** Told about live deliveries and replays (the metrics); optional. */
  deliveries?: DeliveryObserver;
  /** Who is calling (ANONYMOUS, an admin, when no auth is configured). */
  principal: Principal;
  loaders: Loaders;
  /** Topology as of past moments asked for in this request, by ISO time (see as-of.ts). */
  asOfScopes: Map<string, Promise<TopologyScope>>;
}

/** The long-lived parts a context is built from. */
export type AppServices = Omit<RequestContext, 'loaders' | 'principal' | 'asOfScopes'>;

export function createRequestContext(services: AppServices, principal: Principal = ANONYMOUS): RequestContext {
  return { ...services, principal, loaders: createLoaders(services.store, services.history), asOfScopes: new Map() };
}
