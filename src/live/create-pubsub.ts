import type { Config } from '../config';
import type { Logger } from '../logger';
import { InProcessPubSub } from './in-process-pubsub';
import type { PubSub } from './pubsub';
import { RedisPubSub, redactRedisUrl } from './redis-pubsub';

/**
 * Redis pub/sub when REDIS_URL is set (every API instance sees every event, and replays come
 * from Redis Streams), else in-process with a memory replay log.
 * Rejects, naming REDIS_URL, when Redis cannot be reached at start-up.
 */
export async function createPubSub(config: Pick<Config, 'redisUrl' | 'replay'>, logger: Logger): Promise<PubSub> {
  if (!config.redisUrl) return new InProcessPubSub(config.replay);
  const pubsub = await RedisPubSub.connect({ url: config.redisUrl, logger, replay: config.replay });
  logger.info({ redis: redactRedisUrl(config.redisUrl) }, 'pub/sub on Redis');
  return pubsub;
}
