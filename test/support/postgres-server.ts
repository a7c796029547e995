import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './redis-server';

export interface PostgresServer {
  /** postgres://twin@127.0.0.1:<port>/twin */
  url: string;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'PostgreSQL is not installed: the history suites of the neo4j project need a real PostgreSQL. Install it with `apt-get install -y postgresql` (CI installs it).';

/** Debian's server binaries (not on PATH), newest major first. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? spawnSync('ls', [root], { encoding: 'utf8' }).stdout.split('\n').filter((v) => /^\d+$/.test(v)) : [];
  const major = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!major) throw new Error(INSTALL_HINT);
  return path.join(root, major, 'bin');
}

/**
 * A throwaway PostgreSQL cluster: initdb in a temporary folder, trust auth on 127.0.0.1, a free
 * port, database `twin`. initdb refuses to run as root, so as root it runs as the `postgres`
 * user Debian's package creates.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'twin-postgres-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, id('-u'), id('-g'));
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]) => (asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' }));
  const init = run(path.join(bin, 'initdb'), ['-D', data, '-U', 'twin', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);

  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-k', dir, '-h', '127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', path.join(bin, 'postgres'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(path.join(bin, 'postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // pg_ctl waits until the server has shut down (a signal to runuser would not: the folder
      // could go while postgres still runs).
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { encoding: 'utf8' });
    if (ready.status === 0) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`PostgreSQL did not start on port ${port}: ${output.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const created = spawnSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'twin', 'twin'], { encoding: 'utf8' });
  if (created.status !== 0) {
    await stop();
    throw new Error(`createdb failed: ${created.stderr}`);
  }
  return { url: `postgres://twin@127.0.0.1:${port}/twin`, stop };
}
