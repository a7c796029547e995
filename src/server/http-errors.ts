import type { NextFunction, Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../logger';

/**
 * Errors that happen outside GraphQL execution answered like GraphQL errors: JSON in the
 * GraphQL-over-HTTP shape, a code, no stack and no path, whatever NODE_ENV is (express's default
 * handler answers an HTML page with the stack outside production).
 */
export function jsonErrorHandler(logger: Logger, bodyLimit: string) {
  return (err: { status?: unknown; type?: unknown }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const clientError = typeof err.status === 'number' && err.status >= 400 && err.status < 500;
    const status = clientError ? (err.status as number) : 500;
    let message = 'Internal server error';
    let code = 'INTERNAL_SERVER_ERROR';
    if (err.type === 'entity.parse.failed') [message, code] = ['the request body is not valid JSON', 'BAD_REQUEST'];
    else if (err.type === 'entity.too.large') [message, code] = [`the request body is larger than ${bodyLimit}`, 'PAYLOAD_TOO_LARGE'];
    else if (clientError) [message, code] = ['bad request', 'BAD_REQUEST'];
    else logger.error({ err }, 'unexpected error in an HTTP handler');
    res.status(status).type('application/json').send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  };
}

/** A subscription sent over HTTP is a clear 400, not an internal error: they are served over WebSocket. */
export const subscriptionsOverHttpRefused: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== 'subscription') return;
        throw new GraphQLError('subscriptions are served over WebSocket (the graphql-transport-ws protocol) on this path, not over HTTP', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      },
    };
  },
};
