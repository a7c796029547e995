/**
 * Global setup of the `neo4j` jest project: one real Neo4j for the whole run. Uses
 * TEST_NEO4J_URI when set (a disposable server: the tests wipe it), else starts the project's
 * launcher (neo4j-local/) on a free port. Its address reaches the test workers through
 * TEST_NEO4J_* variables.
 */
import { buildIfNeeded, startNeo4jLocal, type Neo4jLocal } from '../../../neo4j-local/launcher';

declare global {
  // eslint-disable-next-line no-var
  var __twinNeo4j: Neo4jLocal | undefined;
}

export default async function neo4jGlobalSetup(): Promise<void> {
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
