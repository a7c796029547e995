import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError } from '../errors';
import type { Logger } from '../logger';

/**
 * Errors leave the server with a message and `extensions.code` only. Domain errors map to their
 * code (plus detail such as the bad record's index); GraphQL's own errors (validation, variable
 * coercion) pass through; anything else is logged and masked. No stack traces, ever.
 */
export function errorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { ...original.details, code: original.code } };
    }
    // GraphQL's and Apollo's own errors (parse, validation, variable coercion; Apollo wraps those
    // around the original GraphQLError) pass; a GraphQLError wrapping an exception does not.
    if (original instanceof GraphQLError && (!original.originalError || original.originalError instanceof GraphQLError)) {
      const { stacktrace: _dropped, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...base, extensions };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
