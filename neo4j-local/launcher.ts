/**
 * Starts the Neo4j launcher (Neo4jLocal.java) as a child JVM and resolves once it accepts Bolt
 * connections. Builds it with Maven the first time (or after the pom or the class changed);
 * later starts are a plain `java -cp` from the local Maven cache. The child's standard input is a
 * pipe held by this process, so the JVM exits when this process does, however it ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Neo4jLocalOptions {
  /** Bolt port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Password of the `neo4j` user (at least 8 characters). Default `twin-local-password`. */
  password?: string;
  /** Data folder kept across starts; default a fresh temporary folder removed at exit. */
  data?: string;
  /** JVM heap, e.g. `512m` (default). */
  heap?: string;
  /** Neo4j page cache in MB (default 128). */
  pageCacheMb?: number;
  /** Where the launcher's lines go besides being parsed (default: nowhere). */
  echo?: NodeJS.WritableStream;
  /** How long to wait for the Bolt line, build excluded. Default 120 s. */
  startTimeoutMs?: number;
}

export interface Neo4jLocal {
  uri: string;
  username: string;
  password: string;
  /** Neo4j's own version string, e.g. `5.26.30`. */
  version: string;
  heap: string;
  pageCacheMb: number;
  /** SIGTERM, then wait for the JVM to exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

const DIR = __dirname;
const CLASSPATH_FILE = path.join(DIR, 'target', 'classpath.txt');
const CLASS_FILE = path.join(DIR, 'target', 'classes', 'twin', 'neo4jlocal', 'Neo4jLocal.class');
const SOURCES = [path.join(DIR, 'pom.xml'), path.join(DIR, 'src', 'main', 'java', 'twin', 'neo4jlocal', 'Neo4jLocal.java')];
export const DEFAULT_PASSWORD = 'twin-local-password';

/** What is missing to run Neo4j here (Java 17+, Maven), or null when both are present. */
export function missingPrerequisites(): string | null {
  const missing = [
    ['java', ['-version']],
    ['mvn', ['-v']],
  ].filter(([cmd, args]) => spawnSync(cmd as string, args as string[], { stdio: 'ignore' }).status !== 0);
  if (!missing.length) return null;
  return `${missing.map(([cmd]) => cmd).join(' and ')} not found: Neo4j needs Java 17+ and Maven (Debian: apt-get install -y openjdk-17-jdk-headless maven)`;
}

/** Compile the launcher and write its class path, unless both are newer than their sources. */
export function buildIfNeeded(echo?: NodeJS.WritableStream): void {
  const built = existsSync(CLASSPATH_FILE) && existsSync(CLASS_FILE) ? Math.min(statSync(CLASSPATH_FILE).mtimeMs, statSync(CLASS_FILE).mtimeMs) : 0;
  if (SOURCES.every((file) => statSync(file).mtimeMs < built)) return;
  echo?.write('neo4j-local: building the launcher with Maven (the first time downloads Neo4j, ~140 MB)\n');
  const result = spawnSync('mvn', ['-B', '-q', 'compile'], { cwd: DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(`neo4j-local: mvn compile failed (exit ${result.status ?? result.signal}):\n${(result.stdout + result.stderr).trim().slice(-4000)}`);
  }
}

export async function startNeo4jLocal(opts: Neo4jLocalOptions = {}): Promise<Neo4jLocal> {
  buildIfNeeded(opts.echo);
  const heap = opts.heap ?? '512m';
  const password = opts.password ?? DEFAULT_PASSWORD;
  const args = [`-Xms${heap}`, `-Xmx${heap}`, '-cp', `${path.join(DIR, 'target', 'classes')}:${readFileSync(CLASSPATH_FILE, 'utf8').trim()}`];
  const pageCacheMb = opts.pageCacheMb ?? 128;
  args.push('twin.neo4jlocal.Neo4jLocal', '--port', String(opts.port ?? 0), '--password', password, '--page-cache', String(pageCacheMb));
  if (opts.data) args.push('--data', path.resolve(opts.data));
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    const lines = await readyLines(child, opts.startTimeoutMs ?? 120_000, opts.echo);
    return { uri: lines.NEO4J_URI, username: 'neo4j', password, version: lines.version, heap, pageCacheMb, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits for the `NEO4J_URI=` line and the `Neo4j <version> ready` line after it. */
function readyLines(child: ChildProcess, timeoutMs: number, echo?: NodeJS.WritableStream): Promise<{ NEO4J_URI: string; version: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    let uri = '';
    const timer = setTimeout(() => fail(`did not accept connections within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`neo4j-local ${why}:\n${output.trim().slice(-4000) || 'no output'}`));
    };
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      echo?.write(text);
      uri ||= /^NEO4J_URI=(\S+)$/m.exec(output)?.[1] ?? '';
      const version = /^Neo4j (\S+) ready/m.exec(output)?.[1];
      if (uri && version) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining so the JVM never blocks on a full pipe
        resolve({ NEO4J_URI: uri, version });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      echo?.write(chunk);
    });
    child.once('error', (err) => fail(`could not start java: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
  });
}
