/**
 * Worker-thread entry: runs one scenario engine off the main event loop, so a long Monte Carlo
 * run never blocks the API or a BullMQ worker's lock renewal. Progress goes back as messages;
 * the stop flag is shared memory, because the engine runs synchronously and cannot read messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ScenarioInput } from '../graph/scenario-types';
import type { GraphSnapshot } from '../graph/types';
import { runScenarioEngine, type EngineObservations } from '../sim/scenario-engine';

interface EngineThreadData {
  input: ScenarioInput;
  snapshot: GraphSnapshot;
  observed: EngineObservations;
  stopFlag: SharedArrayBuffer;
}

const { input, snapshot, observed, stopFlag } = workerData as EngineThreadData;
const stop = new Int32Array(stopFlag);
try {
  const output = runScenarioEngine(input, snapshot, {
    onProgress: (fraction) => parentPort!.postMessage({ type: 'progress', fraction }),
    shouldStop: () => Atomics.load(stop, 0) === 1,
  }, observed);
  parentPort!.postMessage({ type: 'done', output });
} catch (err) {
  parentPort!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code });
}
