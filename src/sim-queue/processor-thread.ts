/**
 * Worker-thread entry of the in-process runner: processes scenario jobs on its own store
 * connection, so loading snapshots, hashing them and writing results never block the API's
 * event loop (the embedded SQLite store is synchronous). Run updates and job metrics go back to
 * the main thread as messages, which publishes and records them there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openTwinStore } from '../graph/create-graph-store';
import { indexTopology } from '../graph/topology-index';
import { openHistoryStore } from '../history/create-history-store';
import { createLogger } from '../logger';
import { PermanentRunError } from './permanent-run-error';
import { processScenarioRun, type ProcessorDeps } from './scenario-processor';
import type { ProcessorThreadData, ToMainMessage, ToThreadMessage } from './processor-thread-messages';

const data = workerData as ProcessorThreadData;
const port = parentPort!;
const send = (message: ToMainMessage) => port.postMessage(message);
const logger = createLogger(data.logLevel);
// Jobs read the topology through an index of this thread's own (see indexTopology).
const opened = openTwinStore({ ...data.store, twinModel: data.twinModel }).then(({ model, store }) => ({ model, store: indexTopology(store, model, data.store, logger).store }));
const history = openHistoryStore(data.history);
history.catch((err: unknown) => logger.error({ err }, 'scenario processor thread could not open state history'));
// Jobs fail (and are retried) while the store cannot be opened; say why once.
opened.catch((err: unknown) => logger.error({ err }, 'scenario processor thread could not open the store'));
const deps: Promise<ProcessorDeps> = Promise.all([opened, history]).then(([{ store, model }, history]) => ({
  store,
  model,
  history,
  logger,
  asOfMaxChanges: data.asOfMaxChanges,
  pubsub: { publish: async (channel, messages) => send({ type: 'publish', channel, messages }) },
  observer: { scenarioJobFinished: (kind, outcome, seconds) => send({ type: 'jobFinished', kind, outcome, seconds }) },
}));

port.on('message', async (message: ToThreadMessage) => {
  if (message.type === 'close') {
    await opened.then(({ store }) => store.close()).catch(() => undefined);
    await history.then((h) => h.close()).catch(() => undefined);
    port.close(); // nothing left to keep the thread alive: it exits
    return;
  }
  try {
    await processScenarioRun(message.runId, await deps, message.attempt);
    send({ type: 'settled', job: message.job });
  } catch (err) {
    send({
      type: 'settled',
      job: message.job,
      error: { message: err instanceof Error ? err.message : String(err), permanent: err instanceof PermanentRunError },
    });
  }
});
