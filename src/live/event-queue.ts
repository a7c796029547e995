import { isAfter, parseCursor, type Cursor, type Replay } from './event-log';
import type { Channel, PubSub } from './pubsub';

/** Where an event stands in its channel: its cursor, and whether events before it were lost to the client. */
export interface Positioned {
  cursor: string;
  /** True on the first event after `after` when some events after that cursor were no longer kept. */
  gap: boolean;
}

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
  /** Resume: first every kept event after this cursor (filtered), then live ones, none twice. */
  after?: Cursor;
  /** With `after`: end once the replay (and the live events held meanwhile) is consumed, instead of going live. */
  replayOnly?: boolean;
  /** Told how many events the replay brought (after the filter). */
  onReplayed?: (count: number) => void;
}

/**
 * A bounded async iterator over one PubSub channel: what subscription resolvers return. Each
 * event comes with its cursor (Positioned).
 *
 * With `after`, live events are held while the channel's replay is read; then the replayed
 * events come first (the first one marked `gap` when some were no longer kept), then the held
 * live ones newer than the last replayed, then live ones. Replayed events do not count against
 * `maxQueued` (the replay log has its own cap); held live ones do.
 *
 * Messages are filtered on arrival, then handed to a waiting `next()` or queued. When the queue
 * would grow beyond `maxQueued` (or `backpressure` names a reason) the queue ends: the listener
 * is removed, queued events are dropped, `onOverflow` is called and `next()` reports done.
 * `return()` and `throw()` end it the same way, so a client that unsubscribes leaves no listener
 * behind. The listener never throws into the publisher: a failing filter ends this queue with
 * that error instead.
 */
export class EventQueue<T> implements AsyncIterableIterator<T & Positioned> {
  private readonly queued: (T & Positioned)[] = [];
  /** Replayed events, handed out before `queued`. */
  private readonly replayed: (T & Positioned)[] = [];
  private readonly waiting: { resolve: (result: IteratorResult<T & Positioned>) => void; reject: (err: unknown) => void }[] = [];
  private readonly unsubscribe: () => void;
  private ended = false;
  private failure: { error: unknown } | null = null;
  /** While the replay is read, live events wait in `queued`. */
  private replaying: boolean;
  /** A gap was found with nothing to replay: the next event carries it. */
  private gapPending = false;
  /** replayOnly, replay read: done once nothing is left. */
  private endWhenEmpty = false;

  constructor(
    pubsub: PubSub,
    channel: Channel,
    private readonly options: EventQueueOptions<T>,
  ) {
    this.replaying = options.after !== undefined;
    this.unsubscribe = pubsub.subscribe(channel, (message, cursor) => this.push(message as T, cursor));
    if (options.after) {
      pubsub.replay(channel, options.after).then(
        (replay) => this.resume(replay, options.after!),
        (error) => this.fail(error),
      );
    }
  }

  /** Events waiting for the consumer. */
  get size(): number {
    return this.replayed.length + this.queued.length;
  }

  /** True once the queue has ended (no more events will come). */
  get done(): boolean {
    return this.ended;
  }

  next(): Promise<IteratorResult<T & Positioned>> {
    if (!this.replaying) {
      if (this.replayed.length > 0) return Promise.resolve({ value: this.replayed.shift()!, done: false });
      if (this.queued.length > 0) return Promise.resolve({ value: this.queued.shift()!, done: false });
      if (this.endWhenEmpty) this.end();
    }
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T & Positioned>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T & Positioned>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T & Positioned> {
    return this;
  }

  private push(message: T, cursor: string): void {
    if (this.ended) return;
    try {
      if (this.options.filter && !this.options.filter(message)) return;
      const pressure = this.options.backpressure?.() ?? null;
      if (pressure !== null) return this.overflow(pressure);
      const event = { ...message, cursor, gap: this.gapPending };
      this.gapPending = false;
      if (event.gap && this.options.replayOnly) this.stopListening();
      const waiter = this.replaying ? undefined : this.waiting.shift();
      if (waiter) return waiter.resolve({ value: event, done: false });
      if (this.queued.length >= this.options.maxQueued) {
        const name = this.options.maxQueuedName ? ` (${this.options.maxQueuedName})` : '';
        return this.overflow(`more than ${this.options.maxQueued} events waiting to be sent${name}`);
      }
      this.queued.push(event);
    } catch (error) {
      this.fail(error);
    }
  }

  /** replayOnly: take no more live events, and end once the queued ones are consumed. */
  private stopListening(): void {
    this.unsubscribe();
    this.endWhenEmpty = true;
  }

  /** The replay is read: queue what matches, drop held live events it already holds, go live. */
  private resume(replay: Replay, after: Cursor): void {
    if (this.ended) return;
    try {
      for (const { cursor, message } of replay.events) {
        if (this.options.filter && !this.options.filter(message as T)) continue;
        this.replayed.push({ ...(message as T), cursor, gap: false });
      }
      const newest = replay.events.at(-1);
      const last = (newest && parseCursor(newest.cursor)) || after;
      this.options.onReplayed?.(this.replayed.length);
      const held = this.queued.splice(0).filter((e) => isAfter(e.cursor, last));
      this.queued.push(...held);
      const first = this.replayed[0] ?? this.queued[0];
      if (replay.gap) {
        if (first) first.gap = true;
        else this.gapPending = true;
      }
      this.replaying = false;
      // A gap with nothing to replay waits for the next live event to carry it.
      if (this.options.replayOnly && !this.gapPending) this.stopListening();
      while (this.waiting.length > 0 && this.size > 0) this.waiting.shift()!.resolve({ value: (this.replayed.shift() ?? this.queued.shift())!, done: false });
      if (this.endWhenEmpty && this.size === 0) this.end();
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
