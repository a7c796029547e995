import type { Worker } from 'bullmq';
import type { Config } from '../config';
import type { StoreLifecycle } from '../graph/graph-store';
import type { TopologyStore } from '../graph/ports/topology-store';
import type { HistoryStore } from '../history/history-store';
import type { PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import { settlesBy } from './graceful-shutdown';
import { Health } from './health';
import type { TwinMetrics } from './metrics';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { pubsubCheck, storeCheck } from './observability';

export interface WorkerOperationsOptions {
  config: Pick<Config, 'host' | 'metricsPort' | 'shutdownTimeoutMs'>;
  logger: Logger;
  metrics: TwinMetrics;
  store: Pick<StoreLifecycle, 'close'> & Pick<TopologyStore, 'existingIds'>;
  /** State history, which LOAD runs read. */
  history: Pick<HistoryStore, 'ping' | 'close'>;
  pubsub: PubSub;
  worker: Worker<{ runId: string }>;
}

export interface WorkerOperations {
  health: Health;
  /** The METRICS_PORT server, when configured. */
  server?: MetricsServer;
  /** Jobs (run ids) this process is running now. */
  active: ReadonlySet<string>;
  /**
   * Graceful stop: readiness 503, no new jobs, running ones get until SHUTDOWN_TIMEOUT_MS to
   * finish; those still running then are handed back (BullMQ gives them to another worker once
   * their lock expires, SCENARIO_LOCK_MS). Then pub/sub, the stores and the metrics server close.
   */
  stop(): Promise<void>;
}

/**
 * Health, job logging and the optional METRICS_PORT server (`/metrics`, `/livez`, `/readyz`) of
 * `npm run worker`. Readiness: `store`, `redis` (pub/sub PING) and `worker` (taking jobs).
 */
export async function startWorkerOperations(options: WorkerOperationsOptions): Promise<WorkerOperations> {
  const { config, logger, metrics, store, history, pubsub, worker } = options;
  const active = new Set<string>();
  worker.on('active', (job) => {
    active.add(job.id ?? job.data.runId);
    logger.info({ jobId: job.id, runId: job.data.runId, attempt: job.attemptsMade + 1 }, 'scenario job started');
  });
  worker.on('completed', (job) => active.delete(job.id ?? job.data.runId));
  worker.on('failed', (job) => job && active.delete(job.id ?? job.data.runId));

  const health = new Health({ logger });
  health.addCheck('store', storeCheck(store));
  health.addCheck('history', () => history.ping());
  health.addCheck('redis', pubsubCheck(pubsub));
  health.addCheck('worker', async () => {
    if (!worker.isRunning()) throw new Error('the worker is not taking jobs');
  });
  const server =
    config.metricsPort === undefined ? undefined : await startMetricsServer({ host: config.host, port: config.metricsPort, metrics, health, logger });
  if (server) logger.info({ url: server.url }, 'worker metrics and health endpoints listening');

  return {
    health,
    server,
    active,
    async stop() {
      health.beginDraining();
      const deadline = Date.now() + config.shutdownTimeoutMs;
      const closed = await settlesBy(worker.close(), deadline).catch((err: unknown) => {
        logger.error({ err }, 'error while closing the scenario worker');
        return true;
      });
      if (!closed) {
        logger.warn(
          { runIds: [...active], timeoutMs: config.shutdownTimeoutMs },
          'scenario jobs still running at the shutdown timeout: handed back, another worker retries them once their lock expires',
        );
      }
      for (const [part, close] of [
        ['pubsub', () => pubsub.close()],
        ['store', () => store.close()],
        ['history', () => history.close()],
        ['metrics server', () => server?.close() ?? Promise.resolve()],
      ] as const) {
        await close().catch((err: unknown) => logger.error({ err, part }, 'error while stopping'));
      }
    },
  };
}
