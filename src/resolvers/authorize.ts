import { GraphQLError } from 'graphql';
import { DomainError } from '../errors';
import type { MutationResolvers, QueryResolvers } from '../generated/graphql';
import type { RequestContext } from './context';
import { hasRole, type Role } from '../auth/principal';

/** The role each mutation needs; a mutation not listed needs admin. Queries need viewer, except these. */
export const MUTATION_ROLES: Record<string, Role> = {
  reportState: 'operator',
  runScenario: 'operator',
  cancelScenario: 'operator',
  upsertAssets: 'admin',
  deleteAssets: 'admin',
  relate: 'admin',
  unrelate: 'admin',
  importTopology: 'admin',
};
export const QUERY_ROLES: Record<string, Role> = { auditLog: 'admin' };
/** Queries whose every (allowed) read is itself recorded in the audit trail. */
export const AUDITED_QUERIES: ReadonlySet<string> = new Set(['auditLog']);

export function forbidden(ctx: RequestContext, operation: string, needed: Role): GraphQLError {
  ctx.logger.warn({ actor: ctx.principal.id, role: ctx.principal.role, operation, needed }, 'forbidden');
  return new GraphQLError(`${operation} needs the ${needed} role; you are ${ctx.principal.role}`, {
    extensions: { code: 'FORBIDDEN', http: { status: 403 } },
  });
}

/**
 * The asset ids each mutation touched, for its audit entry, from its arguments and its result.
 * Each resolver module declares them beside its mutations (a mutation without one records none).
 */
export type AuditedIds = Record<string, (args: never, result: never) => string[]>;

const errorCode = (err: unknown) =>
  err instanceof DomainError ? err.code : err instanceof GraphQLError ? String(err.extensions.code ?? 'ERROR') : 'INTERNAL_SERVER_ERROR';

/**
 * Every mutation: check the caller's role, run it, and write the audit entry (success or
 * failure). A refused mutation is recorded too (FORBIDDEN, no ids): it never ran.
 */
export function guardMutations(mutations: MutationResolvers, audited: AuditedIds): MutationResolvers {
  const guarded: Record<string, unknown> = {};
  for (const [operation, resolve] of Object.entries(mutations)) {
    const needed = MUTATION_ROLES[operation] ?? 'admin';
    guarded[operation] = async (parent: unknown, args: Record<string, any>, ctx: RequestContext, info: unknown) => {
      if (!hasRole(ctx.principal, needed)) {
        await ctx.audit.recordRefusal(ctx.principal, operation, 'FORBIDDEN');
        throw forbidden(ctx, operation, needed);
      }
      try {
        const result = await (resolve as (...a: unknown[]) => unknown)(parent, args, ctx, info);
        await ctx.audit.record(ctx.principal, operation, audited[operation]?.(args as never, result as never) ?? []);
        return result;
      } catch (err) {
        await ctx.audit.record(ctx.principal, operation, [], errorCode(err));
        throw err;
      }
    };
  }
  return guarded as MutationResolvers;
}

/**
 * Queries that need more than viewer; the reads in AUDITED_QUERIES are recorded (after they ran,
 * so a read does not list itself), and so are their refusals.
 */
export function guardQueries(queries: QueryResolvers): QueryResolvers {
  const guarded: Record<string, unknown> = { ...queries };
  for (const [operation, needed] of Object.entries(QUERY_ROLES)) {
    const resolve = queries[operation as keyof QueryResolvers] as ((...a: unknown[]) => unknown) | undefined;
    if (!resolve) continue;
    const audited = AUDITED_QUERIES.has(operation);
    guarded[operation] = async (parent: unknown, args: unknown, ctx: RequestContext, info: unknown) => {
      if (!hasRole(ctx.principal, needed)) {
        if (audited) await ctx.audit.recordRefusal(ctx.principal, operation, 'FORBIDDEN');
        throw forbidden(ctx, operation, needed);
      }
      if (!audited) return resolve(parent, args, ctx, info);
      try {
        const result = await resolve(parent, args, ctx, info);
        await ctx.audit.record(ctx.principal, operation, []);
        return result;
      } catch (err) {
        await ctx.audit.record(ctx.principal, operation, [], errorCode(err));
        throw err;
      }
    };
  }
  return guarded as QueryResolvers;
}
