/**
 * Global setup of the `neo4j` jest project, the production combination: one real Neo4j for the
 * whole run, and a real PostgreSQL for state history. Uses TEST_NEO4J_URI / TEST_HISTORY_URL when
 * set (disposable servers: the tests wipe them), else starts the project's launcher
 * (neo4j-local/) and a throwaway PostgreSQL cluster on free ports. Their addresses reach the test
 * workers through TEST_NEO4J_* and TEST_HISTORY_URL.
 */
import { buildIfNeeded, startNeo4jLocal, type Neo4jLocal } from '../../../neo4j-local/launcher';
import { startPostgresServer, type PostgresServer } from '../postgres-server';

declare global {
  // eslint-disable-next-line no-var
  var __twinNeo4j: Neo4jLocal | undefined;
  // eslint-disable-next-line no-var
  var __twinPostgres: PostgresServer | undefined;
}

export default async function neo4jGlobalSetup(): Promise<void> {
  if (!process.env.TEST_HISTORY_URL) {
    const postgres = await startPostgresServer();
    globalThis.__twinPostgres = postgres;
    process.env.TEST_HISTORY_URL = postgres.url;
    process.stderr.write(`\nneo4j project: started PostgreSQL for history at ${postgres.url}\n`);
  }
  if (process.env.TEST_NEO4J_URI) {
    process.stderr.write(`\nneo4j project: using TEST_NEO4J_URI=${process.env.TEST_NEO4J_URI} (it will be wiped)\n`);
    return;
  }
  // The first run builds the launcher (Maven downloads Neo4j): say so, it takes minutes.
  buildIfNeeded(process.stderr);
  const started = Date.now();
  const neo4j = await startNeo4jLocal({ heap: process.env.TEST_NEO4J_HEAP ?? '768m' });
  globalThis.__twinNeo4j = neo4j;
  Object.assign(process.env, { TEST_NEO4J_URI: neo4j.uri, TEST_NEO4J_USERNAME: neo4j.username, TEST_NEO4J_PASSWORD: neo4j.password, TEST_NEO4J_VERSION: neo4j.version });
  process.stderr.write(`\nneo4j project: started Neo4j ${neo4j.version} at ${neo4j.uri} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
