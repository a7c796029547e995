import type { Config } from '../config';
import type { Logger } from '../logger';
import { InProcessPubSub } from './in-process-pubsub';
import type { PubSub } from './pubsub';
import { RedisPubSub, redactRedisUrl } from './redis-pubsub';

/**
 * Redis pub/sub when REDIS_URL is set (every API instance sees every event), else in-process.
 * Rejects, naming REDIS_URL, when Redis cannot be reached at start-up.
 */
export async function createPubSub(config: Pick<Config, 'redisUrl'>, logger: Logger): Promise<PubSub> {
  if (!config.redisUrl) return new InProcessPubSub();
  const pubsub = await RedisPubSub.connect({ url: config.redisUrl, logger });
  logger.info({ redis: redactRedisUrl(config.redisUrl) }, 'pub/sub on Redis');
  return pubsub;
}
