import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import { execute, GraphQLError, printSchema, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Queries and mutations over HTTP run as JavaScript compiled from each query (graphql-jit)
 * instead of through graphql-js's interpreter, which visits every field of every item: a page of
 * 100 assets is about 3,300 fields, a depth-10 walk at 100k 40,000. Apollo still parses,
 * validates (depth, aliases, cost) and formats errors; only execution changes. Apollo's public
 * way to swap the executor is the gateway interface, which this implements over a local schema.
 * Subscriptions (graphql-ws) keep graphql-js.
 *
 * A compiled query is kept per parsed document, which Apollo caches by query text (bounded), so
 * it is compiled once and dropped when Apollo drops the document. A document graphql-jit cannot
 * compile, and a request that fails before execution (e.g. a variable of the wrong type), runs
 * through graphql-js, so such errors read exactly as before.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  const compiledFor = (document: DocumentNode, operationName: string | null): CompiledQuery | null => {
    let byOperation = compiled.get(document);
    if (!byOperation) compiled.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    let query = byOperation.get(key);
    if (query === undefined) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      byOperation.set(key, (query = isCompiledQuery(result) ? result : null));
    }
    return query;
  };

  const executor: GatewayExecutor = async ({ document, operationName, context, request }) => {
    const variables = request.variables ?? {};
    const query = compiledFor(document, operationName);
    if (query) {
      const result = (await query.query(undefined, context, variables)) as ExecutionResult;
      if (result.data !== undefined) return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
    }
    return execute({ schema, document, operationName, contextValue: context, variableValues: variables }) as Promise<ExecutionResult>;
  };

  let listener: GatewaySchemaLoadOrUpdateCallback | undefined;
  return {
    onSchemaLoadOrUpdate(callback) {
      listener = callback;
      return () => (listener = undefined);
    },
    async load() {
      listener?.({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return { executor };
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors leave `extensions` undefined when the thrown error has none, where Apollo
 * expects an object (it reads `extensions.code`); the same error as graphql-js would make it.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  return Object.assign(copy, { locations: error.locations });
}
