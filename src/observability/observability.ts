import type { ApolloServerPlugin } from '@apollo/server';
import type { Router } from 'express';
import type { Config } from '../config';
import type { HistoryStore } from '../history/history-store';
import type { TopologyIndex } from '../graph/topology-index';
import type { TopologyStore } from '../graph/ports/topology-store';
import type { PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ScenarioQueue } from '../sim-queue/scenario-queue';
import { graphqlMetricsPlugin } from './graphql-metrics-plugin';
import { Health } from './health';
import { observabilityRouter } from './http-observability';
import { TwinMetrics, type TwinMetricsOptions } from './metrics';
import { WebSocketObserver } from './websocket-observer';

/** An id no asset has: the store check looks it up by its unique index, one cheap round trip. */
const PROBE_ID = '__readyz_probe__';

/** Readiness check of a graph store: one indexed lookup. */
export const storeCheck = (store: Pick<TopologyStore, 'existingIds'>) => () => store.existingIds([PROBE_ID]);

/** Readiness check of Redis pub/sub: PING on its publisher connection (in-process pub/sub always passes). */
export const pubsubCheck = (pubsub: PubSub) => async () => {
  await pubsub.ping?.();
};

/** What readiness and the queue-depth gauge watch. */
export interface ObservedParts {
  config: Pick<Config, 'redisUrl'>;
  store: Pick<TopologyStore, 'existingIds'>;
  history: Pick<HistoryStore, 'ping'>;
  pubsub: PubSub;
  queue: ScenarioQueue;
  topologyIndex: Pick<TopologyIndex, 'status'>;
}

/**
 * Metrics, health and request logging of one API app, handed to the server (HTTP routes, Apollo
 * plugin, WebSocket hooks), the state ingestor and the scenario processor.
 */
export class Observability {
  readonly metrics: TwinMetrics;
  readonly health: Health;
  readonly webSocket: WebSocketObserver;

  constructor(
    private readonly logger: Logger,
    options: TwinMetricsOptions = {},
  ) {
    this.metrics = new TwinMetrics(options);
    this.health = new Health({ logger });
    this.webSocket = new WebSocketObserver(this.metrics);
  }

  /**
   * Readiness checks `store` (always), `redis` (with REDIS_URL) and `queue` (the BullMQ queue);
   * `twin_scenario_queue_depth` reads the queue at each scrape, the topology index gauges its status.
   */
  watch(parts: ObservedParts): void {
    this.health.addCheck('store', storeCheck(parts.store));
    this.health.addCheck('history', () => parts.history.ping());
    if (parts.config.redisUrl) this.health.addCheck('redis', pubsubCheck(parts.pubsub));
    if (parts.queue.backend !== 'in-process') this.health.addCheck('queue', () => parts.queue.depth());
    this.metrics.watchQueueDepth(() => parts.queue.depth());
    this.metrics.watchTopologyIndex(() => parts.topologyIndex.status);
  }

  /** Request ids, access log, /livez, /readyz, /metrics: mount before every other route. */
  httpRouter(): Router {
    return observabilityRouter({ logger: this.logger, metrics: this.metrics, health: this.health });
  }

  graphqlPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
    return graphqlMetricsPlugin<TContext>(this.metrics);
  }
}
