import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { TwinMetrics } from './metrics';

/**
 * Apollo Server plugin timing every GraphQL request over HTTP
 * (`twin_graphql_request_duration_seconds` by operation name and type) and counting the errors
 * of each response by the `extensions.code` the client receives (`twin_graphql_errors_total`),
 * so masked errors count as INTERNAL_SERVER_ERROR. Operations over WebSocket are not included.
 */
export function graphqlMetricsPlugin<TContext extends object>(metrics: TwinMetrics): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(rc: GraphQLRequestContextWillSendResponse<TContext>) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const operation = rc.operation;
          metrics.graphqlRequestFinished(operation?.name?.value, operation?.operation, seconds);
          const body = rc.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          for (const error of errors ?? []) metrics.graphqlError(error.extensions?.code);
        },
      };
    },
  };
}
