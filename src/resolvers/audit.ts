import type { QueryResolvers } from '../generated/graphql';
import type { AuditFilter } from '../graph/audit-types';
import { dateTimeArg, DEFAULT_PAGE_SIZE, pageSizeArg } from './arguments';
import { idAfter, idConnection } from './paging';

export const auditQuery: QueryResolvers = {
  async auditLog(_, { where, first, after }, ctx) {
    const filter: AuditFilter = {};
    if (where?.actor != null) filter.actor = where.actor;
    if (where?.operation != null) filter.operation = where.operation;
    if (where?.assetId != null) filter.assetId = where.assetId;
    if (where?.since != null) filter.since = dateTimeArg(where.since, 'where.since');
    if (where?.until != null) filter.until = dateTimeArg(where.until, 'where.until');
    const { entries, hasNextPage } = await ctx.store.listAudit(filter, pageSizeArg(ctx, first ?? DEFAULT_PAGE_SIZE), idAfter(after));
    return idConnection(entries, hasNextPage, (e) => e.id);
  },
};
