import { DEFAULT_REPLAY_LIMITS, MemoryEventLog, type Cursor, type LoggedEvent, type Replay, type ReplayLimits } from './event-log';
import type { Channel, PubSub, PubSubListener } from './pubsub';

/**
 * PubSub inside one process: the default when REDIS_URL is not set. Every event is kept in a
 * memory log per channel (capped by `limits`) for subscribers that resume.
 */
export class InProcessPubSub implements PubSub {
  private readonly listeners = new Map<Channel, Set<PubSubListener>>();
  private readonly logs = new Map<Channel, MemoryEventLog>();

  constructor(private readonly limits: ReplayLimits = DEFAULT_REPLAY_LIMITS) {}

  async publish(channel: Channel, messages: unknown[]): Promise<void> {
    const log = this.log(channel);
    this.deliver(
      channel,
      messages.map((message) => ({ cursor: log.append(message), message })),
    );
  }

  async replay(channel: Channel, after: Cursor): Promise<Replay> {
    return this.log(channel).replay(after);
  }

  /** Hand events to this process's listeners; also used by the Redis PubSub on receipt. */
  deliver(channel: Channel, events: readonly LoggedEvent[]): void {
    const listeners = this.listeners.get(channel);
    if (!listeners) return;
    for (const { cursor, message } of events) {
      for (const listener of listeners) {
        try {
          listener(message, cursor);
        } catch {
          // One failing listener must not keep the message from the others or fail the publisher.
        }
      }
    }
  }

  subscribe(channel: Channel, listener: PubSubListener): () => void {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return () => this.listeners.get(channel)?.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private log(channel: Channel): MemoryEventLog {
    let log = this.logs.get(channel);
    if (!log) this.logs.set(channel, (log = new MemoryEventLog(this.limits)));
    return log;
  }
}
