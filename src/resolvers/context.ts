import type { Config } from '../config';
import type { GraphStore } from '../graph/graph-store';
import type { StateIngestor } from '../live/state-ingestor';
import type { PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ScenarioService } from '../sim-queue/scenario-service';
import type { ModelIndex } from '../model/twin-model';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives; built fresh per request so DataLoader caches never leak. */
export interface RequestContext {
  store: GraphStore;
  model: ModelIndex;
  config: Config;
  logger: Logger;
  pubsub: PubSub;
  ingestor: StateIngestor;
  scenarios: ScenarioService;
  loaders: Loaders;
}

/** The long-lived parts a context is built from. */
export type AppServices = Omit<RequestContext, 'loaders'>;

export function createRequestContext(services: AppServices): RequestContext {
  return { ...services, loaders: createLoaders(services.store) };
}
