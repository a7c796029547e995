/**
 * What ingestion tells observability about, as an optional hook: the ingestor depends on this
 * interface only (and runs unchanged without it); src/observability implements it.
 */
export interface StateIngestObserver {
  /**
   * Told about every state batch once its outcomes are known (StateIngestor).
   * @param outcomes one outcome per record (ACCEPTED, DUPLICATE, STALE, REJECTED)
   * @param acceptedObservedAt `observedAt` (ISO-8601) of each accepted record
   */
  stateBatchIngested(outcomes: readonly string[], acceptedObservedAt: readonly string[]): void;
}
