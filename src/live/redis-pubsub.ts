import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { compareCursors, DEFAULT_REPLAY_LIMITS, formatCursor, parseCursor, type Cursor, type LoggedEvent, type Replay, type ReplayLimits } from './event-log';
import { InProcessPubSub } from './in-process-pubsub';
import { CHANNELS, type Channel, type PubSub, type PubSubListener } from './pubsub';

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
  /** What each channel's stream keeps for replay. Default 100000 events, 300 s. */
  replay?: ReplayLimits;
}

/** The Redis Stream that keeps a channel's events for replay. */
const streamOf = (channel: Channel) => `${channel}.log`;

/** The id of the newest entry ever appended to a channel's stream (trimming keeps it). */
const lastOf = (channel: Channel) => `${channel}.last`;

/**
 * Atomically: append each message (ARGV[3..]) to the stream KEYS[1], each entry naming the one
 * before it (`p`, so that a replay can tell a gap), capped at ARGV[1] entries and trimmed to ids
 * from ARGV[2] on (0 = no age limit); keep the newest id in KEYS[3]; then PUBLISH on KEYS[2] the
 * entry ids and the messages, so that stream order and delivery order are one.
 */
const PUBLISH_LOGGED = `
local ids = {}
local prev = redis.call('GET', KEYS[3]) or '0-0'
for i = 3, #ARGV do
  prev = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[i], 'p', prev)
  ids[#ids + 1] = prev
end
redis.call('SET', KEYS[3], prev)
if ARGV[2] ~= '0' then redis.call('XTRIM', KEYS[1], 'MINID', '~', ARGV[2]) end
redis.call('PUBLISH', KEYS[2], table.concat(ids, ',') .. '\\n[' .. table.concat(ARGV, ',', 3) .. ']')
return #ids`;

type LoggingRedis = Redis & { publishLogged(stream: string, channel: string, last: string, maxEvents: number, minId: string, ...messages: string[]): Promise<number> };

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
 * subscriber connection per process. A batch is one script call that appends each event to the
 * channel's Redis Stream (its entry id is the event's cursor; the stream is what `replay` reads,
 * across instances and restarts) and PUBLISHes the ids with the events; every instance (this one
 * included) receives them on its subscriber connection and hands them to its local listeners,
 * so events reach local and remote subscribers by the same path and in stream order.
 *
 * Start-up fails (naming REDIS_URL) when Redis cannot be reached within a few attempts; after
 * start-up, lost connections are logged and re-established by ioredis (which re-subscribes the
 * channels). Events published while the link is down are lost, as with any Redis pub/sub:
 * `publish` fails fast instead of queueing them.
 */
export class RedisPubSub implements PubSub {
  private readonly local = new InProcessPubSub();
  private readonly publisher: LoggingRedis;
  private readonly limits: ReplayLimits;
  private readonly subscriber: Redis;
  private readonly where: string;
  private started = false;
  private closing = false;
  private readonly lastError = new Map<Redis, Error>();

  private constructor(private readonly options: RedisPubSubOptions) {
    this.where = redactRedisUrl(options.url);
    this.limits = options.replay ?? DEFAULT_REPLAY_LIMITS;
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
    }) as LoggingRedis;
    this.publisher.defineCommand('publishLogged', { numberOfKeys: 3, lua: PUBLISH_LOGGED });
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
      const minId = this.limits.seconds > 0 ? String(Date.now() - this.limits.seconds * 1000) : '0';
      await this.publisher.publishLogged(streamOf(channel), channel, lastOf(channel), this.limits.maxEvents, minId, ...messages.map((m) => JSON.stringify(m)));
    } catch (err) {
      throw new Error(`could not publish ${messages.length} event(s) on Redis at ${this.where} (REDIS_URL): ${(err as Error).message}`, { cause: err });
    }
  }

  subscribe(channel: Channel, listener: PubSubListener): () => void {
    return this.local.subscribe(channel, listener);
  }

  /**
   * The stream's entries after `after`. A gap when the first of them does not follow `after`
   * directly (what came between was trimmed), when some are older than LIVE_REPLAY_SECONDS, or
   * when none is left although newer ones were appended.
   */
  async replay(channel: Channel, after: Cursor): Promise<Replay> {
    const from = formatCursor(after);
    try {
      const [entries, last] = await Promise.all([this.publisher.xrange(streamOf(channel), `(${from}`, '+'), this.publisher.get(lastOf(channel))]);
      const oldest = this.limits.seconds > 0 ? { ms: Date.now() - this.limits.seconds * 1000, seq: 0 } : null;
      const events: LoggedEvent[] = [];
      let gap = false;
      for (const [id, values] of entries) {
        const field = (name: string) => values[values.indexOf(name) + 1];
        if (oldest && compareCursors(parseCursor(id)!, oldest) < 0) {
          gap = true;
          continue;
        }
        if (events.length === 0 && field('p') !== from) gap = true;
        events.push({ cursor: id, message: JSON.parse(field('m')) });
      }
      const newest = last ? parseCursor(last) : null;
      if (entries.length === 0 && newest && compareCursors(newest, after) > 0) gap = true;
      return { gap, events };
    } catch (err) {
      throw new Error(`could not read the replay of ${channel} from Redis at ${this.where} (REDIS_URL): ${(err as Error).message}`, { cause: err });
    }
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

  /** `<id>,<id>…\n[<message>, <message>…]`, as PUBLISH_LOGGED sends it. */
  private receive(channel: string, text: string): void {
    if (!(ALL_CHANNELS as readonly string[]).includes(channel)) return;
    const newline = text.indexOf('\n');
    const ids = text.slice(0, Math.max(0, newline)).split(',');
    let messages: unknown;
    try {
      messages = JSON.parse(text.slice(newline + 1));
    } catch (err) {
      this.options.logger.warn({ err, channel }, 'dropped a Redis pub/sub message that is not JSON');
      return;
    }
    if (newline < 0 || !Array.isArray(messages) || messages.length !== ids.length) {
      this.options.logger.warn({ channel }, 'dropped a Redis pub/sub message that is not a list of logged events');
      return;
    }
    try {
      this.local.deliver(
        channel as Channel,
        messages.map((message, i) => ({ cursor: ids[i], message })),
      );
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
