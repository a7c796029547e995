import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { PubSub } from '../live/pubsub';
import type { Logger } from '../logger';
import type { ScenarioJobObserver } from './scenario-job-observer';
import type { ProcessorThreadData, ToMainMessage, ToThreadMessage } from './processor-thread-messages';
import { PermanentRunError } from './permanent-run-error';
import type { Attempt } from './scenario-processor';
import { startThread } from './start-thread';

/** Processes one attempt of a scenario job; rejects with PermanentRunError when retrying cannot help. */
export interface RunProcessor {
  process(runId: string, attempt: Attempt): Promise<void>;
  close(): Promise<void>;
}

/**
 * The main-thread side of processor-thread.ts: started with the first job, hands it jobs,
 * publishes the run updates it sends on this process's pub/sub and records its job metrics.
 * If the thread dies, its jobs fail (and are retried by the runner) and the next job starts a
 * new thread.
 */
export class ProcessorThreadClient implements RunProcessor {
  private worker?: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextJob = 0;

  constructor(
    private readonly data: ProcessorThreadData,
    private readonly pubsub: PubSub,
    private readonly logger: Logger,
    private readonly observer?: ScenarioJobObserver,
  ) {}

  process(runId: string, attempt: Attempt): Promise<void> {
    const worker = this.worker ?? this.start();
    const job = this.nextJob++;
    return new Promise((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      worker.postMessage({ type: 'run', job, runId, attempt } satisfies ToThreadMessage);
    });
  }

  /** Let the thread close its store and exit; call once no job is running. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ type: 'close' } satisfies ToThreadMessage);
    await exited;
  }

  private start(): Worker {
    const worker = startThread('processor-thread', this.data);
    worker.on('message', (message: ToMainMessage) => this.receive(message));
    worker.on('error', (err) => this.logger.error({ err }, 'scenario processor thread failed'));
    worker.on('exit', (code) => {
      this.worker = undefined;
      for (const { reject } of this.pending.values()) reject(new Error(`scenario processor thread exited with code ${code}`));
      this.pending.clear();
    });
    this.worker = worker;
    return worker;
  }

  private receive(message: ToMainMessage): void {
    if (message.type === 'publish') {
      this.pubsub.publish(message.channel, message.messages).catch((err) => this.logger.warn({ err }, 'could not publish run update'));
    } else if (message.type === 'jobFinished') {
      this.observer?.scenarioJobFinished(message.kind, message.outcome, message.seconds);
    } else {
      const waiting = this.pending.get(message.job);
      this.pending.delete(message.job);
      if (!message.error) waiting?.resolve();
      else waiting?.reject(message.error.permanent ? new PermanentRunError(message.error.message) : new Error(message.error.message));
    }
  }
}
