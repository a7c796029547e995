import type { Worker } from 'node:worker_threads';
import { DomainError } from '../errors';
import type { ScenarioInput } from '../graph/scenario-types';
import type { GraphSnapshot } from '../graph/types';
import type { EngineObservations, EngineOutput } from '../sim/scenario-engine';
import type { EngineJob, EngineMessage } from './engine-thread';
import { startThread } from './start-thread';

export interface EngineRun {
  output: Promise<EngineOutput>;
  /** Ask the engine to stop; it returns what it has with `complete: false`. */
  stop(): void;
}

/**
 * Engine threads kept between runs, at most this many idle. Starting a thread (loading the
 * engine's modules) took 290 ms of CPU against 10 ms for the IMPACT run it served (measured
 * under tsx, 10k twin), and competed with the API for the machine's cores.
 */
const MAX_IDLE = 2;
const idle: Worker[] = [];

/**
 * One idle thread, or a new one. An idle thread that fails leaves the list on its exit (nothing
 * waits on it then; its error, reported to a run while one is running, must not crash the process).
 */
function takeThread(): Worker {
  const worker = idle.pop();
  if (!worker) return startThread('engine-thread', undefined).on('error', () => undefined);
  worker.off('exit', forgetIdle);
  return worker;
}
function forgetIdle(this: Worker): void {
  const i = idle.indexOf(this);
  if (i >= 0) idle.splice(i, 1);
}

/** Run a scenario engine in a worker thread (an idle one if there is one), relaying progress. */
export function runEngineInThread(input: ScenarioInput, snapshot: GraphSnapshot, onProgress: (fraction: number) => void, observed: EngineObservations = {}): EngineRun {
  const stopFlag = new SharedArrayBuffer(4);
  const worker = takeThread();
  worker.ref();
  const output = new Promise<EngineOutput>((resolve, reject) => {
    const onMessage = (msg: EngineMessage) => {
      if (msg.type === 'progress') return onProgress(msg.fraction);
      release();
      if (msg.type === 'done') return resolve(msg.output);
      // Input the engine refuses (e.g. an availability above 1) is the caller's, not a crash.
      reject(msg.code === 'BAD_USER_INPUT' ? new DomainError('BAD_USER_INPUT', msg.message) : new Error(msg.message));
    };
    const onError = (err: Error) => fail(err);
    const onExit = (code: number) => fail(new Error(`engine thread exited with code ${code}`));
    const detach = () => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    // Finished: the thread waits for its next run (unref'd: an idle one keeps nothing alive).
    const release = () => {
      detach();
      worker.unref();
      if (idle.length < MAX_IDLE) idle.push(worker.once('exit', forgetIdle));
      else void worker.terminate();
    };
    const fail = (err: Error) => {
      detach();
      void worker.terminate();
      reject(err);
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
  worker.postMessage({ input, snapshot, observed, stopFlag } satisfies EngineJob);
  return { output, stop: () => Atomics.store(new Int32Array(stopFlag), 0, 1) };
}
