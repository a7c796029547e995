import type { RunProcessor } from './processor-thread-client';
import { PermanentRunError } from './permanent-run-error';
import type { RetryPolicy, ScenarioQueue } from './scenario-queue';

/**
 * Runs scenario jobs inside the API process when there is no Redis: a FIFO with bounded
 * concurrency and retries with exponential backoff, handing each attempt to `processor` (the
 * same processor as the BullMQ worker, in a worker thread, so the event loop stays free).
 */
export class InProcessRunner implements ScenarioQueue {
  readonly backend = 'in-process';
  private readonly waiting: { runId: string; attempt: number }[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly processor: RunProcessor,
    private readonly concurrency: number,
    private readonly retry: RetryPolicy,
  ) {}

  async enqueue(runId: string): Promise<void> {
    this.waiting.push({ runId, attempt: 1 });
    // Start after the submitting request has answered.
    setImmediate(() => this.pump());
  }

  async removeWaiting(runId: string): Promise<boolean> {
    const i = this.waiting.findIndex((job) => job.runId === runId);
    if (i === -1) return false;
    this.waiting.splice(i, 1);
    return true;
  }

  async depth(): Promise<number> {
    return this.waiting.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled([...this.running]);
    await this.processor.close();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const { runId, attempt } = this.waiting.shift()!;
      const job = this.run(runId, attempt).finally(() => {
        this.running.delete(job);
        this.pump();
      });
      this.running.add(job);
    }
  }

  private async run(runId: string, attempt: number): Promise<void> {
    try {
      await this.processor.process(runId, { number: attempt, max: this.retry.attempts });
    } catch (err) {
      if (err instanceof PermanentRunError || attempt >= this.retry.attempts || this.closed) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.waiting.unshift({ runId, attempt: attempt + 1 });
        this.pump();
      }, this.retry.backoffMs * 2 ** (attempt - 1));
      this.timers.add(timer);
    }
  }
}
