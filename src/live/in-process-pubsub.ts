import type { Channel, PubSub } from './pubsub';

/** PubSub inside one process: the default when REDIS_URL is not set. */
export class InProcessPubSub implements PubSub {
  private readonly listeners = new Map<Channel, Set<(message: unknown) => void>>();

  async publish(channel: Channel, messages: unknown[]): Promise<void> {
    this.deliver(channel, messages);
  }

  /** Hand messages to this process's listeners; also used by the Redis PubSub on receipt. */
  deliver(channel: Channel, messages: unknown[]): void {
    const listeners = this.listeners.get(channel);
    if (!listeners) return;
    for (const message of messages) {
      for (const listener of listeners) {
        try {
          listener(message);
        } catch {
          // One failing listener must not keep the message from the others or fail the publisher.
        }
      }
    }
  }

  subscribe(channel: Channel, listener: (message: unknown) => void): () => void {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return () => this.listeners.get(channel)?.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
