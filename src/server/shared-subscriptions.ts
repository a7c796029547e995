import { createSourceEventStream, execute, GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Config } from '../config';
import type { DeliveryObserver } from '../live/delivery-observer';
import type { SubscriberLink } from '../live/event-queue';
import type { Logger } from '../logger';
import type { SubscriptionContext } from '../resolvers/subscription';

/**
 * Shared execution of identical subscriptions. Subscribers whose document, operation name,
 * variables and role are the same (one `key`) share one source stream (one EventQueue, so
 * filters and neighbourhoods are evaluated once), one execution of the selection per event and
 * one serialised payload; each socket gets that payload behind its own subscription id, written
 * without serialising it again.
 *
 * graphql-ws keeps the protocol (connection_init, subscribe ids, complete, errors): the stream a
 * subscriber gets from `subscribe` yields nothing and ends when its part of the shared execution
 * ends, so graphql-ws then sends `complete` (or `error`), after every `next` written here.
 */

/** What one subscriber brings: its socket, its subscription id and its connection's limits. */
export interface SubscriberSocket {
  socket: WebSocket;
  /** The TCP socket under `socket` (the upgraded request's), corked while a burst is written. */
  wire: Pick<Duplex, 'cork' | 'uncork'>;
  id: string;
  link: SubscriberLink;
}

/** The context graphql-ws passes to `subscribe` for a shared operation. */
export type SharedContext = SubscriptionContext & { share: { key: string; subscriber: SubscriberSocket } };

export interface SharedSubscriptionsOptions {
  limits: Pick<Config['subscriptions'], 'maxBufferedBytes' | 'maxQueuedEvents'>;
  logger: Logger;
  /** The same error formatting as HTTP (codes kept, unexpected errors masked). */
  format: (errors: readonly GraphQLError[]) => GraphQLFormattedError[];
  observer?: DeliveryObserver;
}

/**
 * The key that decides sharing: everything the payload can depend on. Resolvers read the
 * principal's role only (subscriptions reach no per-principal data), so the role is enough.
 */
export function shareKey(role: string, query: string, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): string {
  return JSON.stringify([role, operationName ?? null, query, sortedJson(variables ?? {})]);
}

/** JSON with object keys in order, so that `{a, b}` and `{b, a}` share. */
function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedJson((value as Record<string, unknown>)[k])]),
  );
}

/** Events executed in a row before the pump lets the event loop turn. */
const YIELD_EVERY_EVENTS = 64;

/** Payloads at least this long are written at once rather than coalesced. */
const COALESCE_BELOW_CHARS = 16 * 1024;

/**
 * Corks each wire on its first write in a turn of the event loop and uncorks them all after it,
 * so that a burst of events (a published batch) goes out in one write per socket, not one each.
 */
export class WriteCoalescer {
  private readonly corked = new Set<SubscriberSocket['wire']>();
  private scheduled = false;

  hold(wire: SubscriberSocket['wire']): void {
    if (this.corked.has(wire)) return;
    wire.cork();
    this.corked.add(wire);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = () => {
    this.scheduled = false;
    for (const wire of this.corked) wire.uncork();
    this.corked.clear();
  };
}

export class SharedSubscriptions {
  private readonly executions = new Map<string, SharedExecution>();
  private readonly coalescer = new WriteCoalescer();

  constructor(private readonly options: SharedSubscriptionsOptions) {}

  /** Distinct executions running now. */
  get size(): number {
    return this.executions.size;
  }

  /**
   * graphql-ws's `subscribe`: join the execution for the context's key, starting it when none
   * runs. Returns the subscriber's stream, or the result with errors when the subscription could
   * not start (bad arguments, unknown root…), as graphql's `subscribe` would.
   */
  async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    const { share } = args.contextValue as SharedContext;
    for (;;) {
      let execution = this.executions.get(share.key);
      if (!execution) {
        execution = new SharedExecution(args, this.options, this.coalescer, () => this.executions.delete(share.key));
        this.executions.set(share.key, execution);
      }
      const refused = await execution.started;
      if (refused) return refused;
      // The last subscriber may have left while this one waited: start again.
      if (execution.ended) continue;
      return execution.join(share.subscriber);
    }
  }
}

/** The part of a shared execution that one subscriber holds: a stream that ends when it leaves. */
class Subscriber implements AsyncIterableIterator<never> {
  /** Payloads written whose write has not completed yet. */
  private unflushed = 0;
  private readonly prefix: string;
  private ending: { resolve: (r: IteratorResult<never>) => void; reject: (e: unknown) => void } | null = null;
  private outcome: { error?: unknown } | null = null;
  private readonly flushed = () => void this.unflushed--;

  constructor(
    private readonly at: SubscriberSocket,
    private readonly leave: (s: Subscriber) => void,
  ) {
    this.prefix = `{"id":${JSON.stringify(at.id)},"type":"next","payload":`;
  }

  /** Write one serialised payload, or disconnect the consumer when it has fallen too far behind. */
  write(payload: string, limits: SharedSubscriptionsOptions['limits'], coalescer: WriteCoalescer, observer?: DeliveryObserver): boolean {
    const { socket } = this.at;
    if (socket.readyState !== socket.OPEN) return false;
    const behind =
      socket.bufferedAmount > limits.maxBufferedBytes
        ? `more than ${limits.maxBufferedBytes} bytes unsent (WS_MAX_BUFFERED_BYTES)`
        : this.unflushed >= limits.maxQueuedEvents
          ? `more than ${limits.maxQueuedEvents} events waiting to be sent (WS_MAX_QUEUED_EVENTS)`
          : null;
    if (behind) {
      this.disconnectFor(behind);
      return false;
    }
    observer?.queueDepth(this.unflushed);
    this.unflushed++;
    // Only small payloads are held back: a large one fills its own writes, and held back it
    // slowed a stalled consumer's detection to a crawl here.
    if (payload.length < COALESCE_BELOW_CHARS) coalescer.hold(this.at.wire);
    socket.send(this.prefix + payload + '}', this.flushed);
    return true;
  }

  /** Leave, and close the connection as a slow consumer (SubscriberLink.disconnect). */
  disconnectFor(reason: string): void {
    this.end();
    this.at.link.disconnect(reason);
  }

  /** Stop: done, or (with `error`) failed; graphql-ws then sends complete or error. */
  end(error?: unknown): void {
    if (this.outcome) return;
    this.outcome = error === undefined ? {} : { error };
    this.leave(this);
    if (this.ending) this.settle(this.ending);
  }

  next(): Promise<IteratorResult<never>> {
    return new Promise((resolve, reject) => {
      this.ending = { resolve, reject };
      if (this.outcome) this.settle(this.ending);
    });
  }

  return(): Promise<IteratorResult<never>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<never>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<never> {
    return this;
  }

  private settle(ending: NonNullable<Subscriber['ending']>): void {
    this.ending = null;
    if (this.outcome && 'error' in this.outcome) ending.reject(this.outcome.error);
    else ending.resolve({ value: undefined, done: true });
  }
}

/** One source stream and one execution per event for every subscriber of one key. */
class SharedExecution {
  /** Resolves to null once the source stream runs, or to the result that refused it. */
  readonly started: Promise<ExecutionResult | null>;
  ended = false;
  private readonly subscribers = new Set<Subscriber>();
  private source: AsyncIterator<unknown> | null = null;
  private readonly context: SharedContext;

  constructor(
    private readonly args: ExecutionArgs,
    private readonly options: SharedSubscriptionsOptions,
    private readonly coalescer: WriteCoalescer,
    private readonly forget: () => void,
  ) {
    const first = args.contextValue as SharedContext;
    // The source stream serves every subscriber: no one socket's backpressure applies to it.
    // It overflows only when executing falls behind the events, and then all of them are behind.
    const link: SubscriberLink = {
      maxQueuedEvents: first.subscriber?.maxQueuedEvents ?? options.limits.maxQueuedEvents,
      backpressure: () => null,
      disconnect: (reason) => this.overflow(reason),
    };
    this.context = { ...first, subscriber: link };
    this.started = this.start();
  }

  join(at: SubscriberSocket): Subscriber {
    const subscriber = new Subscriber(at, (s) => this.leave(s));
    this.subscribers.add(subscriber);
    return subscriber;
  }

  private async start(): Promise<ExecutionResult | null> {
    const stream = await createSourceEventStream({ ...this.args, contextValue: this.context });
    if (!(Symbol.asyncIterator in stream)) {
      this.finish();
      return stream;
    }
    this.source = stream[Symbol.asyncIterator]();
    this.options.observer?.executions(1);
    void this.pump();
    return null;
  }

  /** Execute the selection once per event and write the payload to every subscriber. */
  private async pump(): Promise<void> {
    const { observer, limits } = this.options;
    try {
      for (let n = 1; ; n++) {
        // A long burst (a replay) lets the sockets flush and other work run now and then.
        if (n % YIELD_EVERY_EVENTS === 0) await new Promise(setImmediate);
        const next = await this.source!.next();
        if (next.done || this.ended) break;
        const result = await execute({ ...this.args, contextValue: this.context, rootValue: next.value });
        const payload = JSON.stringify(result.errors?.length ? { ...result, errors: this.options.format(result.errors) } : result);
        let written = 0;
        for (const subscriber of this.subscribers) if (subscriber.write(payload, limits, this.coalescer, observer)) written++;
        observer?.delivered(written);
      }
      this.close();
    } catch (err) {
      this.options.logger.warn({ err }, 'a shared subscription failed');
      this.close(err instanceof GraphQLError ? err : new GraphQLError((err as Error).message ?? String(err), { originalError: err as Error }));
    }
  }

  private leave(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0 && this.source) this.close();
  }

  /** The source overflowed: every subscriber is as far behind, so each is disconnected. */
  private overflow(reason: string): void {
    for (const subscriber of [...this.subscribers]) subscriber.disconnectFor(reason);
  }

  /** End the execution and, with `error`, fail every subscriber with it. */
  private close(error?: unknown): void {
    if (this.ended) return;
    this.finish();
    for (const subscriber of [...this.subscribers]) subscriber.end(error);
    void this.source?.return?.();
    this.options.observer?.executions(-1);
  }

  private finish(): void {
    this.ended = true;
    this.forget();
  }
}
