/**
 * The peer under test: a GraphQL server built with @neo4j/graphql 7 (`new Neo4jGraphQL({ typeDefs,
 * driver })`, type definitions in ./type-defs.ts) over the same Neo4j database the bench loaded,
 * as a child process of the bench like bench/harness/bench-server.ts, on the same HTTP stack as
 * the API (Apollo Server 5 with the Express 5 integration, JSON bodies), on a free port.
 *
 * Connection from NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE (set by the bench for
 * `--store neo4j`). Prints one JSON line `{ready: true, pid, url, version}` on stdout when
 * listening; SIGTERM (or SIGINT) stops the server and closes the driver, then exits 0.
 * `DEBUG=@neo4j/graphql:execution` (the library's own logging, inherited from the bench's
 * environment) prints each translated Cypher statement with its parameters on stderr.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { Neo4jGraphQL, type Neo4jGraphQLContext } from '@neo4j/graphql';
import express from 'express';
import neo4j from 'neo4j-driver';
import { peerLibraryVersion } from './library-version';
import { PEER_TYPE_DEFS } from './type-defs';

async function main(): Promise<void> {
  const uri = process.env.NEO4J_URI;
  if (!uri) throw new Error('the peer needs NEO4J_URI (and NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE)');
  const database = process.env.NEO4J_DATABASE || 'neo4j';
  const driver = neo4j.driver(uri, neo4j.auth.basic(process.env.NEO4J_USERNAME || 'neo4j', process.env.NEO4J_PASSWORD || ''), {
    userAgent: 'twin-graph-api-bench-peer/neo4j-driver',
    // As the API's driver (src/graph/neo4j/cypher-executor.ts): transient errors retried for 10 s, not 30.
    maxTransactionRetryTime: 10_000,
  });
  await driver.verifyConnectivity({ database });

  const neoSchema = new Neo4jGraphQL({ typeDefs: PEER_TYPE_DEFS, driver });
  const schema = await neoSchema.getSchema();

  const app = express();
  const server = http.createServer(app);
  const apollo = new ApolloServer<Neo4jGraphQLContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // This process handles SIGTERM itself (below).
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: '5mb' }),
    expressMiddleware(apollo, {
      // The library runs each request as one Cypher statement on the driver it was given, in
      // the named database.
      context: async () => ({ sessionConfig: { database } }),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await apollo.stop();
    await driver.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, url: `http://127.0.0.1:${port}/graphql`, version: peerLibraryVersion() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`peer server failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
