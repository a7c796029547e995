import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { HttpClient } from './http-client';
import type { MeterSnapshot } from './store-meter';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Node flags that load TypeScript through tsx (CommonJS and ESM), plus any extra flags. */
export function nodeArgs(script: string, extraNodeFlags: string[]): string[] {
  return [...extraNodeFlags, '--import', 'tsx', path.join(ROOT, script)];
}

export interface ServerInfo {
  pid: number;
  url: string;
  naiveUrl: string;
  controlUrl: string;
  backend: string;
  queue: string;
  history: string;
  pubsub: string;
  /** The API's topology index once loaded: state, assets, relationships, loadMs. */
  topologyIndex: { state: string; assets: number; relationships: number; loadMs: number | null };
}

export interface BenchServer extends ServerInfo {
  child: ChildProcess;
  /** Store calls and time per method in the server since the last reset. */
  meter(): Promise<MeterSnapshot>;
  resetMeter(): Promise<void>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env: Record<string, string | undefined>;
  /** Extra node flags, e.g. --cpu-prof --cpu-prof-dir=... */
  nodeFlags?: string[];
  /** Prefix of the child's stderr lines passed through. */
  label: string;
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function passStderr(child: ChildProcess, label: string): void {
  let rest = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) process.stderr.write(`  [${label}] ${line}\n`);
  });
}

/**
 * The first JSON line with `ready: true` on the child's stdout (other JSON lines go to `onOther`,
 * anything else is skipped); rejects if the child exits first or says nothing within 60 s.
 */
export function readyLine<T>(child: ChildProcess, label: string, onOther?: (parsed: Record<string, unknown>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${label}: no ready line within 60 s`)), 60_000);
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with code ${code} before it was ready`));
    };
    child.once('exit', exited);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if (parsed.ready) {
          clearTimeout(timer);
          child.off('exit', exited);
          resolve(parsed as T);
          return;
        }
        onOther?.(parsed);
      }
    });
  });
}

/** The API's Node flags, as `npm start` and the Dockerfile run it (see README, "Runtime tuning"). */
export const API_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Start bench/harness/bench-server.ts as a child process and wait for its ready line. */
export async function startBenchServer(opts: SpawnOptions): Promise<BenchServer> {
  const child = spawn(process.execPath, nodeArgs('bench/harness/bench-server.ts', [...API_NODE_FLAGS, ...(opts.nodeFlags ?? [])]), {
    cwd: ROOT,
    env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  passStderr(child, opts.label);
  // Log lines (pino JSON on stdout) may come first: warnings and errors among them are shown.
  const info = await readyLine<ServerInfo>(child, opts.label, (parsed) => {
    const log = parsed as { level?: number; msg?: string };
    if (log.level !== undefined && log.level >= 40) process.stderr.write(`  [${opts.label}] ${log.msg ?? JSON.stringify(parsed)}\n`);
  });
  // Later stdout (logs at LOG_LEVEL) is dropped.
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  const control = new HttpClient(2);
  return {
    ...info,
    child,
    async meter() {
      const res = await control.get(`${info.controlUrl}/meter`);
      return JSON.parse(res.body) as MeterSnapshot;
    },
    async resetMeter() {
      await control.post(`${info.controlUrl}/meter/reset`, '{}');
    },
    async stop() {
      control.close();
      child.kill('SIGTERM');
      await waitForExit(child, 15_000);
    },
  };
}

export interface ChildHandle {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Start the scenario worker (src/worker.ts), for runs queued on BullMQ when REDIS_URL is set. */
export async function startWorker(opts: SpawnOptions): Promise<ChildHandle> {
  const child = spawn(process.execPath, nodeArgs('src/worker.ts', opts.nodeFlags ?? []), {
    cwd: ROOT,
    env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  passStderr(child, opts.label);
  // The worker logs "scenario worker ready" (pino JSON on stdout) once it listens to the queue.
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${opts.label}: not ready within 60 s`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.label} exited with code ${code} before it was ready`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('scenario worker ready')) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve();
      }
    });
  });
  return {
    child,
    async stop() {
      child.kill('SIGTERM');
      await waitForExit(child, 30_000);
    },
  };
}
