import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { auditRefusals } from '../audit/refusals';
import { withRequestDeadline } from '../graph/request-deadline';
import { ingestHandler } from '../live/ingest-http';
import { resolvers } from '../resolvers';
import { createRequestContext, type AppServices, type RequestContext } from '../resolvers/context';
import { loadTypeDefs } from '../schema';
import type { Observability } from '../observability/observability';
import { compiledExecution } from './compiled-execution';
import { errorFormatter } from './format-error';
import { explorerRouter } from './explorer';
import { jsonErrorHandler, subscriptionsOverHttpRefused } from './http-errors';
import { queryCostLimit } from './query-cost';
import { principalOf, queryLimitRules, requireRole } from './security';
import { createWebSocketServer } from './websocket';

export interface TwinServer {
  /** Start listening on `config.host`/`config.port`; resolves to the GraphQL URL. */
  listen(): Promise<string>;
  /** Stop accepting, drain in-flight requests and WebSocket connections, then resolve. Does not close the store. */
  stop(): Promise<void>;
  httpServer: http.Server;
}

/** Largest JSON request body accepted on /graphql. */
const BODY_LIMIT = '5mb';

/** Path of the GraphQL endpoint, over HTTP and WebSocket alike. */
const GRAPHQL_PATH = '/graphql';

/**
 * The server: Apollo Server 5 on express 5 at /graphql over HTTP, graphql-ws on the same port
 * and path for subscriptions (src/server/websocket.ts), and POST /ingest for NDJSON state.
 */
export async function createTwinServer(services: AppServices, observability?: Observability): Promise<TwinServer> {
  const app = express();
  app.disable('x-powered-by');
  // No conditional GETs are served; an ETag would hash every (possibly 500 KB) answer for nothing.
  app.set('etag', false);
  // Request ids, access log, /livez, /readyz, /metrics: before every other route, no auth.
  if (observability) app.use(observability.httpRouter());
  // The twin explorer page at /explorer (and `/` redirecting a browser there): static files, no auth.
  app.use(explorerRouter(services.config));
  const httpServer = http.createServer(app);
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
  const formatError = errorFormatter(services.logger);
  const webSocket = createWebSocketServer({ httpServer, path: GRAPHQL_PATH, schema, services, formatError, observer: observability?.webSocket });
  const apollo = new ApolloServer<RequestContext>({
    ...(services.config.compiledExecution ? { gateway: compiledExecution(schema) } : { schema }),
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts and worker.ts own SIGTERM/SIGINT (src/observability/graceful-shutdown.ts).
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    introspection: services.config.limits.introspection,
    validationRules: queryLimitRules(services.config.limits),
    plugins: [
      // In-flight requests get SHUTDOWN_TIMEOUT_MS to finish before their connections are cut.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: services.config.shutdownTimeoutMs }),
      // No HTTP caching is offered, and the default cache-control plugin runs on every field.
      ApolloServerPluginCacheControlDisabled(),
      subscriptionsOverHttpRefused,
      queryCostLimit(services.config.limits.maxQueryCost),
      ...(observability ? [observability.graphqlPlugin<RequestContext>()] : []),
      {
        // Close every WebSocket connection (1001 Going away) and the WebSocket server when draining.
        async serverWillStart() {
          return {
            async drainServer() {
              await webSocket.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  // NDJSON state ingestion, read as a stream (no JSON body parser).
  app.post('/ingest', auditRefusals(services, 'ingest'), requireRole(services, 'operator'), ingestHandler(services));
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: BODY_LIMIT }),
    // After the body is read, so that the whole execution runs in the deadline's async context.
    (_req: Request, _res: Response, next: NextFunction) => withRequestDeadline(services.config.queryTimeoutMs, next),
    expressMiddleware(apollo, {
      context: async ({ req }) => createRequestContext(services, await principalOf(services, req.headers.authorization)),
    }),
  );
  // Last: a malformed or oversized body, or anything a handler above let through, as JSON.
  app.use(jsonErrorHandler(services.logger, BODY_LIMIT));

  return {
    httpServer,
    async listen() {
      const { host, port } = services.config;
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const address = httpServer.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shownHost}:${address.port}${GRAPHQL_PATH}`;
    },
    stop: () => apollo.stop(),
  };
}
