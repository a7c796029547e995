import { badInput } from '../errors';
import type { QueryResolvers } from '../generated/graphql';
import type { AuditFilter } from '../graph/audit-types';
import { parseObservedAt } from '../live/state-report';
import { DEFAULT_PAGE_SIZE, pageSizeArg } from './arguments';
import { idAfter, idConnection } from './paging';

function timeArg(value: unknown, name: string): string {
  const parsed = parseObservedAt(value);
  if ('reason' in parsed) throw badInput(`${name}: ${parsed.reason.replace(/^observedAt /, '')}`, { field: name });
  return parsed.iso;
}

export const auditQuery: QueryResolvers = {
  async auditLog(_, { where, first, after }, ctx) {
    const filter: AuditFilter = {};
    if (where?.actor != null) filter.actor = where.actor;
    if (where?.operation != null) filter.operation = where.operation;
    if (where?.assetId != null) filter.assetId = where.assetId;
    if (where?.since != null) filter.since = timeArg(where.since, 'where.since');
    if (where?.until != null) filter.until = timeArg(where.until, 'where.until');
    const { entries, hasNextPage } = await ctx.store.listAudit(filter, pageSizeArg(ctx, first ?? DEFAULT_PAGE_SIZE), idAfter(after));
    return idConnection(entries, hasNextPage, (e) => e.id);
  },
};
