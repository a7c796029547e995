import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Start a worker thread on `<name>.js` next to this file, or, when running from TypeScript
 * sources (tsx, ts-jest), on a bootstrap that registers tsx's require hook in the thread and
 * loads `<name>.ts`.
 */
export function startThread(name: string, workerData: unknown): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, `${name}.js`), { workerData });
  const entry = JSON.stringify(path.join(__dirname, `${name}.ts`));
  return new Worker(`require('tsx/cjs'); require(${entry});`, { eval: true, workerData });
}
