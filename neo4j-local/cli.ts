/**
 * `npm run neo4j -- [--port N] [--password P] [--data DIR] [--page-cache MB] [--heap SIZE]`: a
 * real Neo4j in the foreground for local work (`NEO4J_URI=… npm start` without Docker). Options
 * may also come from the environment (NEO4J_LOCAL_PORT, NEO4J_LOCAL_PASSWORD, NEO4J_LOCAL_DATA,
 * NEO4J_LOCAL_PAGE_CACHE, NEO4J_LOCAL_HEAP). Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { missingPrerequisites, startNeo4jLocal } from './launcher';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, password: { type: 'string' }, data: { type: 'string' }, 'page-cache': { type: 'string' }, heap: { type: 'string' } },
    strict: true,
  });
  const missing = missingPrerequisites();
  if (missing) throw new Error(missing);
  const port = values.port ?? process.env.NEO4J_LOCAL_PORT ?? '7687';
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new Error(`--port must be a port number (0 = any free port), got "${port}"`);
  const pageCache = values['page-cache'] ?? process.env.NEO4J_LOCAL_PAGE_CACHE ?? '128';
  if (!/^\d+$/.test(pageCache) || Number(pageCache) < 8) throw new Error(`--page-cache takes megabytes (at least 8), got "${pageCache}"`);
  const heap = values.heap ?? process.env.NEO4J_LOCAL_HEAP ?? '512m';
  if (!/^\d+[mg]$/.test(heap)) throw new Error(`--heap takes a size like 512m or 1g, got "${heap}"`);
  const neo4j = await startNeo4jLocal({
    port: Number(port),
    pageCacheMb: Number(pageCache),
    heap,
    password: values.password ?? process.env.NEO4J_LOCAL_PASSWORD,
    data: values.data ?? process.env.NEO4J_LOCAL_DATA,
    echo: process.stdout,
  });
  process.stdout.write(`\nIn another shell:\n  NEO4J_URI=${neo4j.uri} NEO4J_PASSWORD=${neo4j.password} npm start\n\nCtrl-C stops Neo4j.\n`);
  const stop = () => void neo4j.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
