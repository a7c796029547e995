/**
 * Where `runScenario` puts its jobs: a BullMQ queue on Redis (worker processes run them) or the
 * in-process runner (same processor, in this process). One job per run; the job id is the run id.
 */
export interface ScenarioQueue {
  /** `bullmq` or `in-process`. */
  readonly backend: string;
  /** Enqueue a run; fails with UNAVAILABLE when the queue cannot be reached. */
  enqueue(runId: string): Promise<void>;
  /** Remove a run's job if no worker has taken it yet; true when it was removed. */
  removeWaiting(runId: string): Promise<boolean>;
  /** Jobs waiting or delayed (for health and metrics). */
  depth(): Promise<number>;
  /** Stop taking jobs; running ones finish (in-process) or stay with their workers (BullMQ). */
  close(): Promise<void>;
}

export interface RetryPolicy {
  /** Attempts per job, the first included. */
  attempts: number;
  /** First retry delay; each next one doubles. */
  backoffMs: number;
}
