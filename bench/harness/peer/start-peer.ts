import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../processes';

export interface PeerServer {
  pid: number;
  url: string;
  /** The @neo4j/graphql version the peer runs. */
  version: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Start the peer (bench/harness/peer/peer-server.ts) as a child process, the way the harness
 * starts the API: Node with tsx, the API's Node flags (`--max-semi-space-size=64`, as in the
 * Dockerfile) plus any extra (profiling), the bench's environment (NEO4J_*) plus `env`, and wait
 * for its ready line on stdout. Its stderr lines are passed through with a `[label]` prefix.
 */
export async function startPeerServer(opts: { env: Record<string, string | undefined>; label: string; nodeFlags?: string[] }): Promise<PeerServer> {
  const script = path.join(ROOT, 'bench', 'harness', 'peer', 'peer-server.ts');
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...(opts.nodeFlags ?? []), '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let rest = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) process.stderr.write(`  [${opts.label}] ${line}\n`);
  });
  const info = await new Promise<{ pid: number; url: string; version: string }>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${opts.label}: no ready line within 60 s`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.label} exited with code ${code} before it was ready`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const parsed = JSON.parse(line) as { ready?: boolean; pid: number; url: string; version: string };
          if (parsed.ready) {
            clearTimeout(timer);
            resolve(parsed);
            return;
          }
        } catch {
          // not the ready line
        }
      }
    });
  });
  child.removeAllListeners('exit');
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  return {
    ...info,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}
