/**
 * What the scenario processor tells observability about, as an optional hook: the processor
 * depends on this interface only (and runs unchanged without it); src/observability implements it.
 */

/**
 * How one scenario job attempt ended: the run's final status, or RETRYING when the attempt failed
 * and the job will be tried again.
 */
export type ScenarioJobOutcome = 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'RETRYING';

/** Told about every scenario job attempt that ran (the shared processor, wherever it runs). */
export interface ScenarioJobObserver {
  scenarioJobFinished(kind: string, outcome: ScenarioJobOutcome, seconds: number): void;
}
