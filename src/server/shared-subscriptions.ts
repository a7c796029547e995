import { createSourceEventStream, execute, getOperationAST, GraphQLError, Kind, type ExecutionArgs, type ExecutionResult, type FieldNode, type GraphQLFormattedError } from 'graphql';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Config } from '../config';
import type { DeliveryObserver } from '../live/delivery-observer';
import { isAfter, parseCursor } from '../live/event-log';
import type { Positioned, SubscriberLink } from '../live/event-queue';
import type { Logger } from '../logger';
import type { SubscriptionContext } from '../resolvers/subscription';

/**
 * Shared execution of identical subscriptions. Subscribers whose document, operation name,
 * variables and role are the same (one `key`) share one source stream (one EventQueue, so
 * filters and neighbourhoods are evaluated once), one execution of the selection per event and
 * one serialised payload; each socket gets that payload behind its own subscription id, written
 * without serialising it again.
 *
 * A subscriber that resumes (`after` given as a variable) shares the execution of the same
 * subscription without `after`: it first reads a CatchUp (the replay from its cursor, executed
 * once for every subscriber resuming from that cursor, then the execution's payloads that came
 * after it), then the execution writes to it directly; nothing twice, nothing missed.
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

/** The context graphql-ws passes to `subscribe` for a shared operation: who shares depends on the role and the document. */
export type SharedContext = SubscriptionContext & { share: { role: string; query: string; subscriber: SubscriberSocket } };

export interface SharedSubscriptionsOptions {
  limits: Pick<Config['subscriptions'], 'maxBufferedBytes' | 'maxQueuedEvents'> & {
    /** Shared payloads one resuming subscriber may hold while it catches up: as many as a replay can bring (LIVE_REPLAY_MAX_EVENTS). */
    maxHeldWhileResuming: number;
  };
  logger: Logger;
  /** The same error formatting as HTTP (codes kept, unexpected errors masked). */
  format: (errors: readonly GraphQLError[]) => GraphQLFormattedError[];
  observer?: DeliveryObserver;
}

/**
 * The key that decides sharing: everything the payload can depend on. Resolvers read the
 * principal's role only (subscriptions reach no per-principal data), so the role is enough.
 */
function shareKey(role: string, query: string, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): string {
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

/**
 * The variable holding the root field's `after` cursor: where a resuming subscriber catches up
 * from. Null when there is none, or when the variable is declared non-null (the execution
 * without it could not run): such a subscriber runs on its own.
 */
function resumeVariable(args: ExecutionArgs): string | null {
  const operation = getOperationAST(args.document, args.operationName);
  const field = operation?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
  const after = field?.arguments?.find((a) => a.name.value === 'after')?.value;
  if (after?.kind !== Kind.VARIABLE) return null;
  const name = after.name.value;
  const declared = operation?.variableDefinitions?.find((d) => d.variable.name.value === name);
  if (declared?.type.kind === Kind.NON_NULL_TYPE) return null;
  const cursor = args.variableValues?.[name];
  return typeof cursor === 'string' && parseCursor(cursor) ? name : null;
}

/** The payload of one result, errors formatted as over HTTP. */
function serialise(result: ExecutionResult, format: SharedSubscriptionsOptions['format']): string {
  return JSON.stringify(result.errors?.length ? { ...result, errors: format(result.errors) } : result);
}

function without(values: Record<string, unknown>, name: string): Record<string, unknown> {
  const rest = { ...values };
  delete rest[name];
  return rest;
}

/** What graphql-ws sends as the subscription's `error` when an execution or a catch-up fails. */
const asGraphQLError = (err: unknown) => (err instanceof GraphQLError ? err : new GraphQLError((err as Error).message ?? String(err), { originalError: err as Error }));

const cursorOf = (event: unknown) => (event as Partial<Positioned>).cursor ?? null;

/** Let the event loop turn (sockets flush, other work runs) every YIELD_EVERY_EVENTS events of a burst. */
const breathe = (n: number) => (n % YIELD_EVERY_EVENTS === 0 ? new Promise(setImmediate) : undefined);

export class SharedSubscriptions {
  private readonly executions = new Map<string, SharedExecution>();
  private readonly coalescer = new WriteCoalescer();

  constructor(private readonly options: SharedSubscriptionsOptions) {}

  /**
   * graphql-ws's `subscribe`: join the execution for the context's key, starting it when none
   * runs. Returns the subscriber's stream, or the result with errors when the subscription could
   * not start (bad arguments, unknown root…), as graphql's `subscribe` would.
   */
  async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    const { share } = args.contextValue as SharedContext;
    const resume = resumeVariable(args);
    const live = resume === null ? args : { ...args, variableValues: without(args.variableValues!, resume) };
    const key = shareKey(share.role, share.query, args.operationName, live.variableValues);
    for (;;) {
      let execution = this.executions.get(key);
      if (!execution) {
        execution = new SharedExecution(live, this.options, this.coalescer, () => this.executions.delete(key));
        this.executions.set(key, execution);
      }
      const refused = await execution.started;
      if (refused) return refused;
      // The last subscriber may have left while this one waited: start again.
      if (execution.ended) continue;
      const subscriber = execution.join(share.subscriber, resume !== null);
      if (resume !== null) execution.resume(subscriber, args, args.variableValues![resume] as string);
      return subscriber;
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
  private readonly flushed = () => {
    this.unflushed--;
    if (this.drain && this.unflushed <= this.drain.below) this.wake();
  };
  /** A catch-up waiting for the socket to flush. */
  private drain: { below: number; resolve: () => void } | null = null;
  /** While true, its CatchUp feeds it and the execution's payloads pass it by. */
  catchingUp: boolean;

  constructor(
    private readonly at: SubscriberSocket,
    private readonly leave: (s: Subscriber) => void,
    resuming: boolean,
  ) {
    this.prefix = `{"id":${JSON.stringify(at.id)},"type":"next","payload":`;
    this.catchingUp = resuming;
  }

  get done(): boolean {
    return this.outcome !== null;
  }

  /** Payloads written whose write has not completed yet. */
  get backlog(): number {
    return this.unflushed;
  }

  /** Resolves once fewer than `below` writes are pending, or the subscriber has ended. */
  flushedBelow(below: number): Promise<void> {
    if (this.unflushed <= below || this.done) return Promise.resolve();
    return new Promise((resolve) => (this.drain = { below, resolve }));
  }

  private wake(): void {
    const drain = this.drain;
    this.drain = null;
    drain?.resolve();
  }

  /** A payload of the shared execution (a subscriber catching up gets it from its CatchUp instead). */
  write(payload: string, coalescer: WriteCoalescer, options: SharedSubscriptionsOptions): void {
    if (!this.catchingUp) this.send(payload, coalescer, options);
  }

  /** Write one serialised payload, or disconnect the consumer when it has fallen too far behind. */
  send(payload: string, coalescer: WriteCoalescer, { limits, observer }: SharedSubscriptionsOptions): void {
    const { socket } = this.at;
    if (this.done || socket.readyState !== socket.OPEN) return;
    const behind =
      socket.bufferedAmount > limits.maxBufferedBytes
        ? `more than ${limits.maxBufferedBytes} bytes unsent (WS_MAX_BUFFERED_BYTES)`
        : this.unflushed >= limits.maxQueuedEvents
          ? `more than ${limits.maxQueuedEvents} events waiting to be sent (WS_MAX_QUEUED_EVENTS)`
          : null;
    if (behind) {
      this.disconnectFor(behind);
      return;
    }
    observer?.queueDepth(this.unflushed);
    this.unflushed++;
    coalescer.hold(this.at.wire);
    socket.send(this.prefix + payload + '}', this.flushed);
    observer?.delivered(1);
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
    this.wake();
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
  /** Resuming subscribers catching up, by their `after`. */
  private readonly catchUps = new Map<string, CatchUp>();
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

  join(at: SubscriberSocket, resuming: boolean): Subscriber {
    const subscriber = new Subscriber(at, (s) => this.leave(s), resuming);
    this.subscribers.add(subscriber);
    return subscriber;
  }

  /** Catch `subscriber` up from `after` (with any other subscriber resuming from there), then live. */
  resume(subscriber: Subscriber, args: ExecutionArgs, after: string): void {
    let catchUp = this.catchUps.get(after);
    if (!catchUp) {
      const started: CatchUp = new CatchUp(args, after, this.options, this.coalescer, () => {
        if (this.catchUps.get(after) === started) this.catchUps.delete(after);
      });
      this.catchUps.set(after, (catchUp = started));
    }
    catchUp.add(subscriber);
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
    try {
      for (let n = 1; ; n++) {
        await breathe(n);
        const next = await this.source!.next();
        if (next.done || this.ended) break;
        const result = await execute({ ...this.args, contextValue: this.context, rootValue: next.value });
        const payload = serialise(result, this.options.format);
        const cursor = cursorOf(next.value);
        for (const catchUp of this.catchUps.values()) catchUp.live(payload, cursor);
        for (const subscriber of this.subscribers) subscriber.write(payload, this.coalescer, this.options);
      }
      this.close();
    } catch (err) {
      this.options.logger.warn({ err }, 'a shared subscription failed');
      this.close(asGraphQLError(err));
    }
  }

  private leave(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    for (const catchUp of this.catchUps.values()) catchUp.left(subscriber);
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

type Entry = { payload: string; cursor: string | null };

/**
 * The catching up of the resuming subscribers of one execution with the same `after`: their
 * replay, executed once, then the execution's payloads that came after it, in one list that each
 * of them reads at the pace its client reads. A reader at the end of the list, once the replay
 * is done, goes live: from then on the execution writes to it directly. The list lives while it
 * has readers; a subscriber resuming from the same cursor meanwhile reads it from the start.
 */
class CatchUp {
  private readonly entries: Entry[] = [];
  /** The execution's payloads that came while the replay ran; null once it is done. */
  private pending: Entry[] | null = [];
  private readonly readers = new Set<Subscriber>();
  private waiting: (() => void)[] = [];
  private readonly highWater: number;

  constructor(
    private readonly args: ExecutionArgs,
    private readonly after: string,
    private readonly options: SharedSubscriptionsOptions,
    private readonly coalescer: WriteCoalescer,
    private readonly forget: () => void,
  ) {
    // A catch-up goes at the pace the client reads it, well within WS_MAX_QUEUED_EVENTS.
    this.highWater = Math.max(2, Math.floor(options.limits.maxQueuedEvents / 2));
    void this.replay();
  }

  add(subscriber: Subscriber): void {
    this.readers.add(subscriber);
    void this.read(subscriber);
  }

  /** A payload of the execution. */
  live(payload: string, cursor: string | null): void {
    if (this.pending) this.pending.push({ payload, cursor });
    else this.append({ payload, cursor });
  }

  /** `subscriber` left the execution: stop reading for it. */
  left(subscriber: Subscriber): void {
    if (this.readers.has(subscriber)) this.wake();
  }

  private append(entry: Entry): void {
    if (this.entries.length >= this.options.limits.maxHeldWhileResuming) {
      const reason = `more than ${this.options.limits.maxHeldWhileResuming} events to catch up with (LIVE_REPLAY_MAX_EVENTS)`;
      for (const reader of [...this.readers]) reader.disconnectFor(reason);
      return;
    }
    this.entries.push(entry);
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  /** Execute the replay once; then the payloads that came meanwhile, those newer than its last event. */
  private async replay(): Promise<void> {
    const context: SharedContext = { ...(this.args.contextValue as SharedContext), replayOnly: true };
    let last = parseCursor(this.after);
    try {
      const stream = await createSourceEventStream({ ...this.args, contextValue: context });
      if (!(Symbol.asyncIterator in stream)) throw stream.errors?.[0] ?? new GraphQLError('the replay could not start');
      let n = 0;
      for await (const event of stream) {
        if (this.readers.size === 0) break;
        const result = await execute({ ...this.args, contextValue: context, rootValue: event });
        const cursor = cursorOf(event);
        this.entries.push({ payload: serialise(result, this.options.format), cursor });
        last = (cursor !== null && parseCursor(cursor)) || last;
        this.wake();
        await breathe(++n);
      }
      const pending = this.pending ?? [];
      this.pending = null;
      for (const entry of pending) if (isAfter(entry.cursor, last)) this.append(entry);
      this.wake();
      if (this.readers.size === 0) this.forget();
    } catch (err) {
      const error = asGraphQLError(err);
      this.forget();
      for (const reader of [...this.readers]) reader.end(error);
    }
  }

  private async read(subscriber: Subscriber): Promise<void> {
    let i = 0;
    while (!subscriber.done) {
      if (i < this.entries.length) {
        subscriber.send(this.entries[i++].payload, this.coalescer, this.options);
        if (subscriber.backlog >= this.highWater) await subscriber.flushedBelow(this.highWater / 2);
        await breathe(i);
      } else if (this.pending === null) {
        // Everything read and the replay done: the next payload of the execution goes to it directly.
        subscriber.catchingUp = false;
        break;
      } else await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.readers.delete(subscriber);
    if (this.readers.size === 0 && this.pending === null) this.forget();
  }
}
