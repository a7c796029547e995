import { DomainError } from '../errors';
import type { ScenarioInput } from '../graph/scenario-types';
import type { GraphSnapshot } from '../graph/types';
import type { EngineObservations, EngineOutput } from '../sim/scenario-engine';
import { startThread } from './start-thread';

export interface EngineRun {
  output: Promise<EngineOutput>;
  /** Ask the engine to stop; it returns what it has with `complete: false`. */
  stop(): void;
}

/** Run a scenario engine in a worker thread, relaying progress. */
export function runEngineInThread(input: ScenarioInput, snapshot: GraphSnapshot, onProgress: (fraction: number) => void, observed: EngineObservations = {}): EngineRun {
  const stopFlag = new SharedArrayBuffer(4);
  const worker = startThread('engine-thread', { input, snapshot, observed, stopFlag });
  const output = new Promise<EngineOutput>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
        void worker.terminate();
      }
    };
    worker.on('message', (msg: { type: string; fraction?: number; output?: EngineOutput; message?: string; code?: string }) => {
      if (msg.type === 'progress') onProgress(msg.fraction!);
      else if (msg.type === 'done') settle(() => resolve(msg.output!));
      else if (msg.type === 'error') {
        // Input the engine refuses (e.g. an availability above 1) is the caller's, not a crash.
        const error = msg.code === 'BAD_USER_INPUT' ? new DomainError('BAD_USER_INPUT', msg.message!) : new Error(msg.message);
        settle(() => reject(error));
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`engine thread exited with code ${code}`))));
  });
  return { output, stop: () => Atomics.store(new Int32Array(stopFlag), 0, 1) };
}
