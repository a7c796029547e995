/** Stops the Neo4j that neo4j-global-setup.ts started (an external TEST_NEO4J_URI is left running). */
export default async function neo4jGlobalTeardown(): Promise<void> {
  await globalThis.__twinNeo4j?.stop();
  globalThis.__twinNeo4j = undefined;
}
