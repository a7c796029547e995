import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { InProcessPubSub } from './in-process-pubsub';
import { CHANNELS, type Channel, type PubSub } from './pubsub';

export interface RedisPubSubOptions {
  /** REDIS_URL: redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  url: string;
  logger: Logger;
  /** Connection attempts at start-up before giving up. Default 3. */
  startupAttempts?: number;
  /** Pause between start-up attempts. Default 500 ms. */
  startupRetryDelayMs?: number;
  /** Time allowed for one connection attempt. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Time allowed for one PUBLISH before it fails. Default 5000 ms. */
  commandTimeoutMs?: number;
}

const ALL_CHANNELS: readonly Channel[] = Object.values(CHANNELS);

/** Delay before the n-th reconnection after start-up: 200 ms more each time, at most 5 s. */
const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 5000);

/** The URL without its password, fit for logs and error messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * PubSub over Redis pub/sub, so that every API instance sees every event: one publisher and one
 * subscriber connection per process. A batch is one `PUBLISH` of a JSON array; every instance
 * (this one included) receives it on its subscriber connection and hands the messages to its
 * local listeners, so events reach local and remote subscribers by the same path and in
 * publish order.
 *
 * Start-up fails (naming REDIS_URL) when Redis cannot be reached within a few attempts; after
 * start-up, lost connections are logged and re-established by ioredis (which re-subscribes the
 * channels). Events published while the link is down are lost, as with any Redis pub/sub:
 * `publish` fails fast instead of queueing them.
 */
export class RedisPubSub implements PubSub {
  private readonly local = new InProcessPubSub();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly where: string;
  private started = false;
  private closing = false;
  private readonly lastError = new Map<Redis, Error>();

  private constructor(private readonly options: RedisPubSubOptions) {
    this.where = redactRedisUrl(options.url);
    const common = {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // At start-up a failed attempt ends the connection (start() retries, bounded); later, reconnect.
      retryStrategy: (attempt: number) => (this.started && !this.closing ? reconnectDelay(attempt) : null),
    };
    this.publisher = new Redis(options.url, {
      ...common,
      connectionName: 'twin-api:publisher',
      // Fail fast while disconnected rather than buffer events without bound.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 5000,
    });
    this.subscriber = new Redis(options.url, { ...common, connectionName: 'twin-api:subscriber' });
    for (const [role, connection] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      connection.on('error', (err: Error) => {
        this.lastError.set(connection, err);
        if (this.started && !this.closing) options.logger.warn({ err, role, redis: this.where }, 'Redis pub/sub connection error');
      });
      connection.on('reconnecting', (delay: number) => {
        if (!this.closing) options.logger.warn({ role, redis: this.where, delayMs: delay }, 'Redis pub/sub reconnecting');
      });
      connection.on('ready', () => {
        if (this.started && !this.closing) options.logger.info({ role, redis: this.where }, 'Redis pub/sub reconnected');
      });
    }
    this.subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
  }

  /** Connect both connections and subscribe to every channel; rejects naming REDIS_URL when Redis cannot be reached. */
  static async connect(options: RedisPubSubOptions): Promise<RedisPubSub> {
    const pubsub = new RedisPubSub(options);
    try {
      await Promise.all([pubsub.connectAtStart(pubsub.publisher), pubsub.connectAtStart(pubsub.subscriber)]);
      await pubsub.subscriber.subscribe(...ALL_CHANNELS);
      pubsub.started = true;
      return pubsub;
    } catch (err) {
      await pubsub.close();
      if (err instanceof Error && err.message.startsWith('REDIS_URL')) throw err;
      throw new Error(`REDIS_URL: Redis at ${pubsub.where} refused the pub/sub set-up: ${(err as Error).message}`);
    }
  }

  async publish(channel: Channel, messages: unknown[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.closing) throw new Error('Redis pub/sub is closed');
    try {
      await this.publisher.publish(channel, JSON.stringify(messages));
    } catch (err) {
      throw new Error(`could not publish ${messages.length} event(s) on Redis at ${this.where} (REDIS_URL): ${(err as Error).message}`, { cause: err });
    }
  }

  subscribe(channel: Channel, listener: (message: unknown) => void): () => void {
    return this.local.subscribe(channel, listener);
  }

  /** PING on the publisher (fails fast while disconnected); rejects too when the subscriber is not connected. */
  async ping(): Promise<void> {
    if (this.closing) throw new Error('Redis pub/sub is closed');
    if (this.subscriber.status !== 'ready') throw new Error(`Redis subscriber connection is ${this.subscriber.status}`);
    await this.publisher.ping();
  }

  /** Quit both connections (waiting for pending replies when connected) and drop local listeners. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all([quit(this.publisher), quit(this.subscriber)]);
    await this.local.close();
  }

  private async connectAtStart(connection: Redis): Promise<void> {
    const attempts = this.options.startupAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await connection.connect();
        return;
      } catch (err) {
        if (this.closing) throw err;
        if (attempt >= attempts) {
          const cause = this.lastError.get(connection) ?? (err as Error);
          throw new Error(`REDIS_URL: cannot connect to Redis at ${this.where} after ${attempts} attempts: ${cause.message || String(cause)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, this.options.startupRetryDelayMs ?? 500));
      }
    }
  }

  private receive(channel: string, text: string): void {
    if (!(ALL_CHANNELS as readonly string[]).includes(channel)) return;
    let messages: unknown;
    try {
      messages = JSON.parse(text);
    } catch (err) {
      this.options.logger.warn({ err, channel }, 'dropped a Redis pub/sub message that is not JSON');
      return;
    }
    if (!Array.isArray(messages)) {
      this.options.logger.warn({ channel }, 'dropped a Redis pub/sub message that is not a JSON array');
      return;
    }
    try {
      this.local.deliver(channel as Channel, messages);
    } catch (err) {
      this.options.logger.error({ err, channel }, 'a pub/sub listener failed');
    }
  }
}

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    try {
      await connection.quit();
      return;
    } catch {
      // fall through: drop the connection
    }
  }
  connection.disconnect(false);
}
