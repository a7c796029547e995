import { loadConfig } from './config';
import { openTwinStore } from './graph/create-graph-store';
import { indexTopology } from './graph/topology-index';
import { openHistoryStore } from './history/create-history-store';
import { createPubSub } from './live/create-pubsub';
import { createLogger } from './logger';
import { installGracefulShutdown } from './observability/graceful-shutdown';
import { TwinMetrics } from './observability/metrics';
import { startWorkerOperations } from './observability/worker-operations';
import { createScenarioWorker } from './sim-queue/bull-scenario-queue';

/**
 * `npm run worker`: scenario workers only (no HTTP), taking jobs from the BullMQ queue on
 * REDIS_URL and writing results through the configured store. Run as many as you like.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!config.redisUrl) throw new Error('REDIS_URL must be set for npm run worker (without Redis, the API runs scenarios in-process)');
  const { model, store: twinStore } = await openTwinStore(config);
  // Jobs read the topology through an index of this process's own (see indexTopology).
  const { store } = indexTopology(twinStore, model, config, logger);
  // State history: LOAD runs read observed demand and load from it.
  const history = await openHistoryStore(config);
  const pubsub = await createPubSub(config, logger);
  const metrics = new TwinMetrics();
  const { scenarios } = config;
  const worker = createScenarioWorker(
    {
      redisUrl: config.redisUrl,
      queueName: scenarios.queueName,
      retry: { attempts: scenarios.attempts, backoffMs: scenarios.backoffMs },
      concurrency: scenarios.workerConcurrency,
      lockDurationMs: scenarios.lockDurationMs,
    },
    { store, model, pubsub, logger, observer: metrics, asOfMaxChanges: config.history.asOfMaxChanges, history },
  );
  // Job logging, health and, with METRICS_PORT, /metrics /livez /readyz.
  // Readiness asks the store itself, not the index; closing stops the index too.
  const operations = await startWorkerOperations({ config, logger, metrics, store: { existingIds: (ids) => twinStore.existingIds(ids), close: () => store.close() }, history, pubsub, worker });
  worker.on('failed', (job, err) => logger.warn({ runId: job?.data.runId, err: err.message }, 'scenario job attempt failed'));
  await worker.waitUntilReady();
  logger.info({ queue: scenarios.queueName, concurrency: scenarios.workerConcurrency, backend: store.backend }, 'scenario worker ready');

  installGracefulShutdown({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    message: 'worker shutting down: finishing running jobs',
    stop: () => operations.stop(),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`scenario worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
