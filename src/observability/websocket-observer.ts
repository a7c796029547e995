import type { TwinMetrics } from './metrics';

const isAsyncIterable = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

/**
 * Keeps `twin_subscriptions_active` and `twin_websocket_connections_active` from graphql-ws's
 * hooks (src/server/websocket.ts). `ctx` is graphql-ws's per-connection context; a subscription
 * counts from the moment its source stream exists until it completes, errors, or its connection
 * closes, whichever comes first, and never twice.
 */
export class WebSocketObserver {
  private readonly subscriptions = new WeakMap<object, Set<string>>();
  private readonly connections = new WeakSet<object>();

  constructor(private readonly metrics: TwinMetrics) {}

  /** onConnect accepted the connection. */
  connected(ctx: object): void {
    if (this.connections.has(ctx)) return;
    this.connections.add(ctx);
    this.metrics.webSocketsActive.inc();
  }

  /** onOperation: `result` is a stream for subscriptions, a plain result for queries and mutations. */
  operationStarted(ctx: object, id: string, result: unknown): void {
    if (!isAsyncIterable(result)) return;
    let ids = this.subscriptions.get(ctx);
    if (!ids) this.subscriptions.set(ctx, (ids = new Set()));
    if (ids.has(id)) return;
    ids.add(id);
    this.metrics.subscriptionsActive.inc();
  }

  /** onComplete. */
  operationEnded(ctx: object, id: string): void {
    if (this.subscriptions.get(ctx)?.delete(id)) this.metrics.subscriptionsActive.dec();
  }

  /** onClose: whatever is still counted on the connection ends with it. */
  closed(ctx: object): void {
    const ids = this.subscriptions.get(ctx);
    if (ids?.size) this.metrics.subscriptionsActive.dec(ids.size);
    this.subscriptions.delete(ctx);
    if (this.connections.delete(ctx)) this.metrics.webSocketsActive.dec();
  }
}
