import { Queue, UnrecoverableError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { unavailable } from '../errors';
import { PermanentRunError } from './permanent-run-error';
import { processScenarioRun, type ProcessorDeps } from './scenario-processor';
import type { RetryPolicy, ScenarioQueue } from './scenario-queue';

/** How long a submission waits for Redis before answering UNAVAILABLE. */
const ENQUEUE_TIMEOUT_MS = 3000;

export interface BullOptions {
  redisUrl: string;
  queueName: string;
  retry: RetryPolicy;
}

interface ScenarioJob {
  runId: string;
}

/**
 * The producer side on Redis. Its connection does not queue commands while Redis is away, so a
 * submission fails fast with UNAVAILABLE instead of hanging.
 */
export class BullScenarioQueue implements ScenarioQueue {
  readonly backend = 'bullmq';
  private readonly connection: IORedis;
  private readonly queue: Queue<ScenarioJob>;

  constructor(private readonly opts: BullOptions) {
    this.connection = new IORedis(opts.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.connection.on('error', () => undefined); // surfaced per call as UNAVAILABLE
    this.queue = new Queue<ScenarioJob>(opts.queueName, { connection: this.connection });
  }

  async enqueue(runId: string): Promise<void> {
    const add = this.queue.add(
      'scenario',
      { runId },
      {
        jobId: runId,
        attempts: this.opts.retry.attempts,
        backoff: { type: 'exponential', delay: this.opts.retry.backoffMs },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([add, timeout]);
    } catch (err) {
      throw unavailable(`the scenario queue (REDIS_URL) is unavailable: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async removeWaiting(runId: string): Promise<boolean> {
    const job = await this.queue.getJob(runId);
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    await job.remove();
    return true;
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.queue.close();
    // quit() fails while Redis is away; disconnect() then stops the reconnect loop.
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

export interface WorkerOptions extends BullOptions {
  concurrency: number;
  /** How long a job's lock lasts without renewal; a dead worker's job is retried after it. */
  lockDurationMs: number;
}

/** A BullMQ worker running scenario jobs with the shared processor. */
export function createScenarioWorker(opts: WorkerOptions, deps: ProcessorDeps): Worker<ScenarioJob> {
  // Workers block on Redis: their connection must retry forever (maxRetriesPerRequest: null).
  const connection = new IORedis(opts.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<ScenarioJob>(
    opts.queueName,
    async (job) => {
      try {
        await processScenarioRun(job.data.runId, deps, { number: job.attemptsMade + 1, max: opts.retry.attempts });
      } catch (err) {
        if (err instanceof PermanentRunError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection,
      concurrency: opts.concurrency,
      lockDuration: opts.lockDurationMs,
      stalledInterval: opts.lockDurationMs,
      maxStalledCount: 2,
    },
  );
  worker.on('closed', () => void connection.quit().catch(() => undefined));
  return worker;
}
