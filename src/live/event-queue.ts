import type { Channel, PubSub } from './pubsub';

/**
 * What a subscription needs from the connection that carries it, so that a slow consumer is
 * disconnected instead of buffered without bound. The WebSocket server puts one in the context
 * of every operation it runs (see src/server/websocket.ts).
 */
export interface SubscriberLink {
  /** Most events one subscription may hold waiting for the consumer (WS_MAX_QUEUED_EVENTS). */
  readonly maxQueuedEvents: number;
  /**
   * Why the consumer cannot take more now (e.g. more unsent bytes than WS_MAX_BUFFERED_BYTES,
   * or the connection is closing), or null when it can.
   */
  backpressure(): string | null;
  /** Disconnect the consumer because it is too slow; `reason` says why. */
  disconnect(reason: string): void;
}

export interface EventQueueOptions<T> {
  /** Keep a message? Others are dropped before they are queued. Default: keep every message. */
  filter?: (message: T) => boolean;
  /** Most events held waiting for the consumer; one more overflows the queue. */
  maxQueued: number;
  /** How the overflow reason names `maxQueued` (e.g. the variable that sets it). */
  maxQueuedName?: string;
  /** Checked for every kept event: a reason to overflow now, or null (see SubscriberLink.backpressure). */
  backpressure?: () => string | null;
  /** Called once when the queue overflows, after it has ended (listener removed, events dropped). */
  onOverflow: (reason: string) => void;
  /** Called once when the queue ends for whatever reason: return(), throw(), overflow or an error. */
  onEnd?: () => void;
}

/**
 * A bounded async iterator over one PubSub channel: what subscription resolvers return.
 *
 * Messages are filtered on arrival, then handed to a waiting `next()` or queued. When the queue
 * would grow beyond `maxQueued` (or `backpressure` names a reason) the queue ends: the listener
 * is removed, queued events are dropped, `onOverflow` is called and `next()` reports done.
 * `return()` and `throw()` end it the same way, so a client that unsubscribes leaves no listener
 * behind. The listener never throws into the publisher: a failing filter ends this queue with
 * that error instead.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly queued: T[] = [];
  private readonly waiting: { resolve: (result: IteratorResult<T>) => void; reject: (err: unknown) => void }[] = [];
  private readonly unsubscribe: () => void;
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(
    pubsub: PubSub,
    channel: Channel,
    private readonly options: EventQueueOptions<T>,
  ) {
    this.unsubscribe = pubsub.subscribe(channel, (message) => this.push(message as T));
  }

  /** Events waiting for the consumer. */
  get size(): number {
    return this.queued.length;
  }

  /** True once the queue has ended (no more events will come). */
  get done(): boolean {
    return this.ended;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queued.length > 0) return Promise.resolve({ value: this.queued.shift()!, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private push(message: T): void {
    if (this.ended) return;
    try {
      if (this.options.filter && !this.options.filter(message)) return;
      const pressure = this.options.backpressure?.() ?? null;
      if (pressure !== null) return this.overflow(pressure);
      const waiter = this.waiting.shift();
      if (waiter) return waiter.resolve({ value: message, done: false });
      if (this.queued.length >= this.options.maxQueued) {
        const name = this.options.maxQueuedName ? ` (${this.options.maxQueuedName})` : '';
        return this.overflow(`more than ${this.options.maxQueued} events waiting to be sent${name}`);
      }
      this.queued.push(message);
    } catch (error) {
      this.fail(error);
    }
  }

  private overflow(reason: string): void {
    this.end();
    this.options.onOverflow(reason);
  }

  /** End with an error: the next `next()` rejects with it, later ones report done. */
  private fail(error: unknown): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.reject(error);
    else this.failure = { error };
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe();
    this.queued.length = 0;
    for (const waiter of this.waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
    this.options.onEnd?.();
  }
}
