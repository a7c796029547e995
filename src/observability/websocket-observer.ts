import type { OperationDefinitionNode } from 'graphql';
import type { TwinMetrics, WebSocketCloseReason } from './metrics';

const isAsyncIterable = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

interface Submitted {
  operation: OperationDefinitionNode | null;
  started: bigint;
}

/**
 * Keeps `twin_subscriptions_active` and `twin_websocket_connections_active` from graphql-ws's
 * hooks (src/server/websocket.ts), and times queries and mutations sent over WebSocket in
 * `twin_graphql_request_duration_seconds` like those over HTTP. `ctx` is graphql-ws's
 * per-connection context; a subscription counts from the moment its source stream exists until
 * it completes, errors, or its connection closes, whichever comes first, and never twice.
 */
export class WebSocketObserver {
  private readonly subscriptions = new WeakMap<object, Set<string>>();
  private readonly connections = new WeakSet<object>();
  private readonly submitted = new WeakMap<object, Map<string, Submitted>>();

  constructor(private readonly metrics: TwinMetrics) {}

  /** onConnect accepted the connection. */
  connected(ctx: object): void {
    if (this.connections.has(ctx)) return;
    this.connections.add(ctx);
    this.metrics.webSocketsActive.inc();
  }

  /** onSubscribe accepted an operation: its clock starts. */
  operationSubmitted(ctx: object, id: string, operation: OperationDefinitionNode | null): void {
    let byId = this.submitted.get(ctx);
    if (!byId) this.submitted.set(ctx, (byId = new Map()));
    byId.set(id, { operation, started: process.hrtime.bigint() });
  }

  /**
   * onOperation: `result` is a stream for subscriptions, or the finished result of a query or
   * mutation, whose duration is recorded.
   */
  operationStarted(ctx: object, id: string, result: unknown): void {
    const byId = this.submitted.get(ctx);
    const submitted = byId?.get(id);
    byId?.delete(id);
    if (!isAsyncIterable(result)) {
      if (submitted) {
        const seconds = Number(process.hrtime.bigint() - submitted.started) / 1e9;
        this.metrics.graphqlRequestFinished(submitted.operation?.name?.value, submitted.operation?.operation, seconds);
      }
      return;
    }
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

  /** The server refused a connection or closed it (see WEBSOCKET_CLOSE_REASONS). */
  serverClosed(reason: WebSocketCloseReason): void {
    this.metrics.webSocketServerCloses.inc({ reason });
  }

  /** onClose: whatever is still counted on the connection ends with it. */
  closed(ctx: object): void {
    const ids = this.subscriptions.get(ctx);
    if (ids?.size) this.metrics.subscriptionsActive.dec(ids.size);
    this.subscriptions.delete(ctx);
    this.submitted.delete(ctx);
    if (this.connections.delete(ctx)) this.metrics.webSocketsActive.dec();
  }
}
