import { loadConfig } from './config';
import { createGraphStore } from './graph/create-graph-store';
import { createPubSub } from './live/create-pubsub';
import { createLogger } from './logger';
import { indexModel, loadTwinModel } from './model/twin-model';
import { createScenarioWorker } from './sim-queue/bull-scenario-queue';

/**
 * `npm run worker`: scenario workers only (no HTTP), taking jobs from the BullMQ queue on
 * REDIS_URL and writing results through the configured store. Run as many as you like.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!config.redisUrl) throw new Error('REDIS_URL must be set for npm run worker (without Redis, the API runs scenarios in-process)');
  const model = indexModel(loadTwinModel(config.twinModel));
  const store = createGraphStore(config, model);
  await store.init();
  const pubsub = await createPubSub(config, logger);
  const { scenarios } = config;
  const worker = createScenarioWorker(
    {
      redisUrl: config.redisUrl,
      queueName: scenarios.queueName,
      retry: { attempts: scenarios.attempts, backoffMs: scenarios.backoffMs },
      concurrency: scenarios.workerConcurrency,
      lockDurationMs: scenarios.lockDurationMs,
    },
    { store, model, pubsub, logger },
  );
  worker.on('failed', (job, err) => logger.warn({ runId: job?.data.runId, err: err.message }, 'scenario job attempt failed'));
  await worker.waitUntilReady();
  logger.info({ queue: scenarios.queueName, concurrency: scenarios.workerConcurrency, backend: store.backend }, 'scenario worker ready');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down: finishing running jobs');
    await worker.close();
    await pubsub.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`scenario worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
