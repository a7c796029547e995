import type { Config } from '../config';
import { BullScenarioQueue } from './bull-scenario-queue';
import { InProcessRunner } from './in-process-runner';
import { ProcessorThreadClient } from './processor-thread-client';
import type { PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ScenarioJobObserver } from './scenario-job-observer';
import type { ScenarioQueue } from './scenario-queue';

/**
 * BullMQ on REDIS_URL (run `npm run worker` for workers), else the in-process runner, whose
 * jobs run in a worker thread on a store connection of its own.
 */
export function createScenarioQueue(config: Config, deps: { pubsub: PubSub; logger: Logger; observer?: ScenarioJobObserver }): ScenarioQueue {
  const retry = { attempts: config.scenarios.attempts, backoffMs: config.scenarios.backoffMs };
  if (config.redisUrl) return new BullScenarioQueue({ redisUrl: config.redisUrl, queueName: config.scenarios.queueName, retry });
  const thread = { store: { neo4j: config.neo4j, dataDir: config.dataDir, topologyIndexMaxAssets: config.topologyIndexMaxAssets, queryTimeoutMs: config.queryTimeoutMs }, history: { history: config.history, dataDir: config.dataDir }, twinModel: config.twinModel, logLevel: deps.logger.level, asOfMaxChanges: config.history.asOfMaxChanges };
  return new InProcessRunner(new ProcessorThreadClient(thread, deps.pubsub, deps.logger, deps.observer), config.scenarios.workerConcurrency, retry);
}
