/**
 * The real API (`npm start`'s entry point, src/main.ts) as a child process on the store under
 * test: for tests of what only separate processes show (signals, several instances at once).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storeEnv, wipeStore } from './stores/test-store';
const ROOT = path.resolve(__dirname, '../..');


export interface ApiProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** DATA_DIR of the process (its SQLite file, when on SQLite). */
  dataDir: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Resolves once stdout has a JSON log line matching `match`. */
  waitForLog(match: (line: any) => boolean, timeoutMs?: number): Promise<any>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twin-shutdown-'));
  dirs.push(dir);
  return dir;
}

export async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * One node process with tsx's loader (not the tsx CLI, which would run node as a grandchild), so
 * signals reach it. On an empty store, or on the store of `sameStoreAs` (a restart, or another
 * instance of the same deployment).
 */
export async function startApi(env: Record<string, string> = {}, sameStoreAs?: ApiProcess): Promise<ApiProcess> {
  const dir = sameStoreAs?.dataDir ?? newDataDir();
  if (!sameStoreAs) await wipeStore();
  const { REDIS_URL: _redis, NEO4J_URI: _neo4j, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    // Not NODE_ENV=test (jest's): Apollo would then install its own signal handlers, if allowed.
    env: { ...inherited, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dir, SEED_DEMO: '0', LOG_LEVEL: 'info', ...storeEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk) => {
    out += chunk.toString();
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    }),
  );
  const logLines = () =>
    out.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
  const waitForLog = (match: (line: any) => boolean, timeoutMs = 20_000) =>
    new Promise<any>((resolve, reject) => {
      const check = () => {
        const line = logLines().find(match);
        if (line) done(() => resolve(line));
        else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`the API exited; stdout:\n${out}\nstderr:\n${err}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no such log line within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`))), timeoutMs);
      const done = (finish: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        finish();
      };
      waiters.add(check);
      check();
    });
  const listening = await waitForLog((line) => line.msg === 'twin graph API listening');
  return { child, url: listening.url, dataDir: dir, stdout: () => out, waitForLog, exited };
}

/** Kill every API process still running and remove their data folders (call in afterAll). */
export function cleanUpApiProcesses(): void {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
