import type { ScenarioStore } from '../graph/ports/scenario-store';
import type { Logger } from '../logger';
import type { ScenarioQueue } from '../sim-queue/scenario-queue';
import { settlesBy } from './graceful-shutdown';

/** Runs read per page when looking for interrupted runs. */
const PAGE = 500;

/**
 * Close the scenario queue at shutdown, letting running jobs finish until `deadline` (epoch ms).
 * Jobs still running then are left as they are: their runs stay RUNNING (or QUEUED, for jobs
 * that had not started), are logged, and start over at the next start (resumeInterruptedRuns
 * for the in-process runner; BullMQ retries a job once its lock expires).
 */
export async function closeQueueBy(queue: ScenarioQueue, deadline: number, store: ScenarioStore, logger: Logger): Promise<void> {
  if (await settlesBy(queue.close(), deadline)) return;
  const running = await store.listRuns({ statuses: ['RUNNING'] }, PAGE).then(
    (page) => page.runs.map((run) => run.id),
    () => undefined,
  );
  logger.warn(
    // Only the in-process runner's depth is local; Redis may be what keeps the queue from closing.
    { runIds: running, queued: queue.backend === 'in-process' ? await queue.depth() : undefined },
    'scenario jobs still running at the shutdown timeout: left RUNNING/QUEUED, they start over at the next start',
  );
}

/**
 * At start of the in-process runner: enqueue again, oldest first, the runs a previous process
 * left QUEUED or RUNNING (shut down or killed mid-job). The processor starts a RUNNING run over
 * and writes results idempotently. Only for the in-process runner, which serves one API process
 * per store; with BullMQ the jobs are still in Redis.
 */
export async function resumeInterruptedRuns(store: ScenarioStore, queue: ScenarioQueue, logger: Logger): Promise<number> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.listRuns({ statuses: ['QUEUED', 'RUNNING'] }, PAGE, after);
    ids.push(...page.runs.map((run) => run.id));
    if (!page.hasNextPage || page.runs.length === 0) break;
    after = page.runs[page.runs.length - 1].id;
  }
  ids.reverse(); // listRuns is newest first
  for (const id of ids) await queue.enqueue(id);
  if (ids.length) logger.info({ runIds: ids }, 'resumed scenario runs interrupted by the previous shutdown');
  return ids.length;
}
