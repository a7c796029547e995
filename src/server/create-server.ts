import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { resolvers } from '../resolvers';
import { createRequestContext, type AppServices, type RequestContext } from '../resolvers/context';
import { loadTypeDefs } from '../schema';
import { errorFormatter } from './format-error';

export interface TwinServer {
  /** Start listening on `config.host`/`config.port`; resolves to the GraphQL URL. */
  listen(): Promise<string>;
  /** Stop accepting, drain in-flight requests, then resolve. Does not close the store. */
  stop(): Promise<void>;
  httpServer: http.Server;
}

/** Largest JSON request body accepted on /graphql. */
const BODY_LIMIT = '5mb';

/** The HTTP server: Apollo Server 5 on express 5 at /graphql. */
export async function createTwinServer(services: AppServices): Promise<TwinServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError: errorFormatter(services.logger),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(apollo, { context: async () => createRequestContext(services) }),
  );

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
      return `http://${shownHost}:${address.port}/graphql`;
    },
    stop: () => apollo.stop(),
  };
}
