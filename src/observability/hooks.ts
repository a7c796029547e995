/**
 * What the core tells observability about, as small optional hooks, so that ingestion and the
 * scenario processor depend on these interfaces only (and run unchanged without them).
 */

/** Told about every state batch once its outcomes are known (StateIngestor). */
export interface StateIngestObserver {
  /**
   * @param outcomes one outcome per record (ACCEPTED, DUPLICATE, STALE, REJECTED)
   * @param acceptedObservedAt `observedAt` (ISO-8601) of each accepted record
   */
  stateBatchIngested(outcomes: readonly string[], acceptedObservedAt: readonly string[]): void;
}

/**
 * How one scenario job attempt ended: the run's final status, or RETRYING when the attempt failed
 * and the job will be tried again.
 */
export type ScenarioJobOutcome = 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'RETRYING';

/** Told about every scenario job attempt that ran (the shared processor, wherever it runs). */
export interface ScenarioJobObserver {
  scenarioJobFinished(kind: string, outcome: ScenarioJobOutcome, seconds: number): void;
}
