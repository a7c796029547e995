/**
 * What the WebSocket transport reports about live deliveries (implemented by the metrics, see
 * src/observability/metrics.ts), so that the transport needs no metrics library.
 */
export interface DeliveryObserver {
  /** A shared subscription execution started (+1) or ended (-1). */
  executions(delta: 1 | -1): void;
  /** Event payloads written to subscribers' sockets. */
  delivered(count: number): void;
  /** Events a subscriber had written but not yet flushed when one more was written. */
  queueDepth(depth: number): void;
  /** Events a catch-up read from the replay log (after its filter), once for all who resume from that cursor. */
  replayed(count: number): void;
}
