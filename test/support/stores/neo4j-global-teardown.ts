/** Stops the Neo4j and PostgreSQL that neo4j-global-setup.ts started (external ones are left running). */
export default async function neo4jGlobalTeardown(): Promise<void> {
  await globalThis.__twinPostgres?.stop();
  globalThis.__twinPostgres = undefined;
  await globalThis.__twinNeo4j?.stop();
  globalThis.__twinNeo4j = undefined;
}
