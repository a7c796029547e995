import type { Config } from '../config';
import { BullScenarioQueue } from './bull-scenario-queue';
import { InProcessRunner } from './in-process-runner';
import type { ProcessorDeps } from './scenario-processor';
import type { ScenarioQueue } from './scenario-queue';

/** BullMQ on REDIS_URL (run `npm run worker` for workers), else the in-process runner. */
export function createScenarioQueue(config: Config, deps: ProcessorDeps): ScenarioQueue {
  const retry = { attempts: config.scenarios.attempts, backoffMs: config.scenarios.backoffMs };
  if (config.redisUrl) return new BullScenarioQueue({ redisUrl: config.redisUrl, queueName: config.scenarios.queueName, retry });
  return new InProcessRunner(deps, config.scenarios.workerConcurrency, retry);
}
