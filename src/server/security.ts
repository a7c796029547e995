import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import { AuthError } from '../auth/authenticator';
import { hasRole, type Principal, type Role } from '../auth/principal';
import type { Config } from '../config';
import type { AppServices } from '../resolvers/context';

/**
 * Depth and alias limits, applied to HTTP operations and to subscriptions alike (the cost limit,
 * which needs the variables, is in query-cost.ts).
 */
export function queryLimitRules(limits: Config['limits']): ValidationRule[] {
  // Report a rejection as a validation error (GRAPHQL_VALIDATION_FAILED) instead of throwing,
  // which would surface as an internal error.
  const report = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(limitError(error))],
  };
  return [
    maxDepthRule({ n: limits.maxQueryDepth, ignoreIntrospection: true, ...report }),
    maxAliasesRule({ n: limits.maxAliases, ...report }),
  ] as ValidationRule[];
}

/** Which setting each graphql-armor limit is, by the start of its message. */
const LIMIT_SETTINGS: [RegExp, string][] = [
  [/^Query depth limit/, 'MAX_QUERY_DEPTH'],
  [/^Aliases limit/, 'MAX_ALIASES'],
];

/**
 * graphql-armor words every rejection as "Syntax Error: …", which sends users looking for a
 * syntax error; say which limit it was and the setting that raises it instead.
 */
function limitError(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/^Syntax Error: /, '');
  const setting = LIMIT_SETTINGS.find(([pattern]) => pattern.test(message))?.[1];
  return new GraphQLError(setting ? `${message} (the server's ${setting})` : message, { nodes: error.nodes, extensions: setting ? { limit: setting } : {} });
}

/** An AuthError as the GraphQL error (and HTTP status) a client gets. */
export function authGraphQLError(err: AuthError): GraphQLError {
  return new GraphQLError(err.message, { extensions: { code: err.code, http: { status: err.code === 'UNAUTHENTICATED' ? 401 : 403 } } });
}

/** The caller of an HTTP request; refusals become GraphQL errors with 401/403. */
export async function principalOf(services: Pick<AppServices, 'authenticator' | 'logger'>, authorization: string | undefined): Promise<Principal> {
  try {
    return await services.authenticator.authenticate(authorization);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    services.logger.warn({ code: err.code, reason: err.message }, 'refused credentials');
    throw authGraphQLError(err);
  }
}

/** Express guard for non-GraphQL routes (POST /ingest): 401 without valid credentials, 403 below `role`. */
export function requireRole(services: Pick<AppServices, 'authenticator' | 'logger'>, role: Role) {
  return async (req: Request, res: Response, next: NextFunction) => {
    let principal: Principal | undefined;
    try {
      principal = await services.authenticator.authenticate(req.headers.authorization);
      if (!hasRole(principal, role)) throw new AuthError('FORBIDDEN', `${req.path} needs the ${role} role; you are ${principal.role}`);
      res.locals.principal = principal;
      next();
    } catch (err) {
      if (!(err instanceof AuthError)) return next(err);
      services.logger.warn({ code: err.code, reason: err.message, path: req.path }, 'refused request');
      // Who was refused, for the audit trail (src/audit/refusals.ts): null when no one is named.
      res.locals.refusedActor = principal ?? (err.actor ? { id: err.actor, role: 'none' } : null);
      res.status(err.code === 'UNAUTHENTICATED' ? 401 : 403).json({ error: err.message, code: err.code });
    }
  };
}
