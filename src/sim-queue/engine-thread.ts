/**
 * Worker-thread entry: runs scenario engines off the main event loop, one at a time, so a long
 * Monte Carlo run never blocks the API or a BullMQ worker's lock renewal. The thread stays for
 * the next run (see run-engine-in-thread.ts). Progress goes back as messages; the stop flag is
 * shared memory, because the engine runs synchronously and cannot read messages.
 */
import { parentPort } from 'node:worker_threads';
import type { ScenarioInput } from '../graph/scenario-types';
import type { GraphSnapshot } from '../graph/types';
import { runScenarioEngine, type EngineObservations, type EngineOutput } from '../sim/scenario-engine';

export interface EngineJob {
  input: ScenarioInput;
  snapshot: GraphSnapshot;
  observed: EngineObservations;
  stopFlag: SharedArrayBuffer;
}

export type EngineMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; output: EngineOutput }
  | { type: 'error'; message: string; code?: string };

const post = (message: EngineMessage) => parentPort!.postMessage(message);

parentPort?.on('message', ({ input, snapshot, observed, stopFlag }: EngineJob) => {
  const stop = new Int32Array(stopFlag);
  try {
    const output = runScenarioEngine(input, snapshot, { onProgress: (fraction) => post({ type: 'progress', fraction }), shouldStop: () => Atomics.load(stop, 0) === 1 }, observed);
    post({ type: 'done', output });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code });
  }
});
