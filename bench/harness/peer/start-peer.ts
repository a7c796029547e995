import { spawn, type ChildProcess } from 'node:child_process';
import { API_NODE_FLAGS, nodeArgs, passStderr, readyLine, ROOT, waitForExit } from '../processes';

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
  const child = spawn(process.execPath, nodeArgs('bench/harness/peer/peer-server.ts', [...API_NODE_FLAGS, ...(opts.nodeFlags ?? [])]), {
    cwd: ROOT,
    env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  passStderr(child, opts.label);
  const info = await readyLine<{ pid: number; url: string; version: string }>(child, opts.label);
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  return {
    ...info,
    child,
    async stop() {
      child.kill('SIGTERM');
      await waitForExit(child, 15_000);
    },
  };
}
