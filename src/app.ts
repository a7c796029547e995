import { AuditTrail } from './audit/audit-trail';
import { Authenticator } from './auth/authenticator';
import type { Config } from './config';
import { openTwinStore } from './graph/create-graph-store';
import { indexTopology } from './graph/topology-index';
import { openHistoryStore } from './history/create-history-store';
import type { GraphStore } from './graph/graph-store';
import { createPubSub } from './live/create-pubsub';
import { StateHistory } from './live/state-history';
import { FidelityWatch } from './sim-queue/fidelity-checks';
import { StateIngestor } from './live/state-ingestor';
import { TopologyPublisher } from './live/topology-events';
import { createLogger, type Logger } from './logger';
import { closeQueueBy, resumeInterruptedRuns } from './observability/interrupted-runs';
import { Observability } from './observability/observability';
import type { AppServices } from './resolvers/context';
import { Neighbourhoods } from './resolvers/neighbourhoods';
import { createTwinServer, type TwinServer } from './server/create-server';
import { createScenarioQueue } from './sim-queue/create-scenario-queue';
import type { ScenarioQueue } from './sim-queue/scenario-queue';
import { ScenarioService } from './sim-queue/scenario-service';

export interface App {
  services: AppServices;
  queue: ScenarioQueue;
  server: TwinServer;
  /** Metrics, health (readiness, draining) and request logging of this app. */
  observability: Observability;
  /** Start listening; resolves to the GraphQL URL. */
  listen(): Promise<string>;
  /**
   * Readiness goes 503 at once; HTTP and WebSocket drain and running jobs finish, together within
   * SHUTDOWN_TIMEOUT_MS (jobs still running then are left to start over later); then the queue,
   * pub/sub and the store close.
   */
  stop(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** Put a layer around the store (tests count or fail calls with it). */
  wrapStore?: (store: GraphStore) => GraphStore;
}

/** The composition root: model, store, pub/sub, ingestion and the server, from one Config. */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const authenticator = new Authenticator(config.auth);
  checkExposure(config, authenticator, logger);
  const { model, store: inner } = await openTwinStore(config);
  const wrapped = opts.wrapStore ? opts.wrapStore(inner) : inner;
  const { store, index: topologyIndex } = indexTopology(wrapped, model, config, logger);
  const history = await openHistoryStore(config).catch(async (err: unknown) => {
    await inner.close().catch(() => undefined);
    throw err;
  });
  const pubsub = await createPubSub(config, logger);
  const observability = new Observability(logger);
  const stateHistory = new StateHistory(history, config.history, logger);
  const ingestor = new StateIngestor(store, model, pubsub, config.state, logger, observability.metrics, stateHistory);
  const queue = createScenarioQueue(config, { pubsub, logger, observer: observability.metrics });
  observability.watch({ config, store: wrapped, history, pubsub, queue, topologyIndex }); // readiness asks the store itself, not the index
  if (queue.backend === 'in-process') await resumeInterruptedRuns(store, queue, logger);
  const scenarios = new ScenarioService(store, model, queue, pubsub, config, logger);
  const fidelity = new FidelityWatch(
    { pubsub, scenarios, logger, observer: observability.metrics },
    { threshold: config.fidelity.driftMapeThreshold, intervalSeconds: config.fidelity.checkIntervalSeconds },
  );
  fidelity.start();
  const audit = new AuditTrail(store, config.audit.retentionDays, logger);
  const topology = new TopologyPublisher(pubsub, logger);
  const neighbourhoods = new Neighbourhoods({ store, pubsub, model, logger }, config.subscriptions.maxNeighbourhoods);
  const services: AppServices = { store, topologyIndex, history, model, config, logger, pubsub, topology, ingestor, scenarios, authenticator, audit, neighbourhoods, deliveries: observability.metrics };
  const server = await createTwinServer(services, observability);
  return {
    services,
    queue,
    server,
    observability,
    listen: () => server.listen(),
    async stop() {
      observability.health.beginDraining();
      const deadline = Date.now() + config.shutdownTimeoutMs;
      // Each part closes even when an earlier one fails (e.g. Redis already gone).
      for (const [part, close] of [
        ['server', () => server.stop()],
        ['fidelity checks', async () => fidelity.stop()],
        ['queue', () => closeQueueBy(queue, deadline, store, logger)],
        ['pubsub', () => pubsub.close()],
        ['topology index', async () => topologyIndex.stop()],
        ['store', () => inner.close()],
        ['history', () => history.close()],
      ] as const) {
        await close().catch((err: unknown) => logger.error({ err, part }, 'error while stopping'));
      }
    },
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Without auth anyone who can reach the port is admin: allowed on loopback only (the quick-start
 * default, with a warning), refused on any other interface.
 */
function checkExposure(config: Config, authenticator: Authenticator, logger: Logger): void {
  if (authenticator.enabled) return;
  if (!LOOPBACK.test(config.host)) {
    throw new Error(
      `HOST=${config.host} would expose the API without authentication: set AUTH_API_KEYS, AUTH_JWT_SECRET or AUTH_JWKS_URL, or listen on 127.0.0.1`,
    );
  }
  logger.warn({ host: config.host }, 'no authentication configured: every caller on this machine is admin (set AUTH_API_KEYS or AUTH_JWT_SECRET)');
}
