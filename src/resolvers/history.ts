import { badInput } from '../errors';
import type { QueryResolvers, Resolvers } from '../generated/graphql';
import { dateTimeArg, DEFAULT_PAGE_SIZE, optionalDateTimeArg, pageSizeArg } from './arguments';
import { checkAssetId } from '../model/validate';
import type { TopologyChangeFilter } from '../graph/topology-log';
import { encodeCursor, historyAfter, idAfter, idConnection } from './paging';
import { selectsField } from './selection';
import type { RequestContext } from './context';

/** Samples per page when `first` is not given. */
const DEFAULT_SAMPLES = 100;

/** A window `from`..`to` (to after from, when both are given), as ISO strings. */
function optionalWindowArg(rawFrom: unknown, rawTo: unknown): { from?: string; to?: string } {
  const from = optionalDateTimeArg(rawFrom, 'from');
  const to = optionalDateTimeArg(rawTo, 'to');
  if (from !== undefined && to !== undefined && to <= from) throw badInput(`to (${to}) must be after from (${from})`, { field: 'to' });
  return { from, to };
}

/** A window with a required `from`. */
const windowArg = (rawFrom: unknown, rawTo: unknown) => ({ ...optionalWindowArg(rawFrom, rawTo), from: dateTimeArg(rawFrom, 'from') });

function bucketWidthArg(ctx: RequestContext, every: number, window: { from: string; to?: string }): number {
  if (!Number.isInteger(every) || every < 1) throw badInput(`every must be a whole number of seconds, at least 1, got ${every}`, { field: 'every' });
  const span = (Date.parse(window.to ?? new Date().toISOString()) - Date.parse(window.from)) / 1000;
  const buckets = Math.ceil(span / every);
  if (buckets > ctx.config.history.maxBuckets) {
    throw badInput(`from..to spans ${buckets} buckets of ${every} s; at most ${ctx.config.history.maxBuckets} (HISTORY_MAX_BUCKETS): widen every or narrow the window`, { field: 'every' });
  }
  return every;
}

/** The topology change log (kept in the graph store, written with every topology write). */
export const historyQuery: QueryResolvers = {
  async topologyChanges(_, { from, to, assetId, first, after }, ctx) {
    const window = optionalWindowArg(from, to);
    const filter: TopologyChangeFilter = {};
    if (window.from !== undefined) filter.from = window.from;
    if (window.to !== undefined) filter.to = window.to;
    if (assetId != null) filter.assetId = checkAssetId(assetId, 'assetId');
    const { changes, hasNextPage } = await ctx.store.listTopologyChanges(filter, pageSizeArg(ctx, first ?? DEFAULT_PAGE_SIZE), idAfter(after));
    return idConnection(changes, hasNextPage, (c) => c.id);
  },
};

/** Asset.history, Asset.historyBuckets and Asset.stateAt, over the history store. */
export const historyTypes: Resolvers = {
  Asset: {
    async history(asset, { metrics, from, to, first, after }, ctx) {
      const limit = first ?? DEFAULT_SAMPLES;
      if (limit < 1 || limit > ctx.config.maxPageSize) throw badInput(`first must be from 1 to ${ctx.config.maxPageSize} (MAX_PAGE_SIZE), got ${limit}`, { field: 'first' });
      const samples = await ctx.history.samples({
        assetId: asset.id,
        metrics: metrics ?? [],
        ...windowArg(from, to),
        limit: limit + 1,
        after: historyAfter(after),
      });
      const nodes = samples.slice(0, limit);
      const last = nodes.at(-1);
      return { nodes, pageInfo: { hasNextPage: samples.length > limit, endCursor: last ? encodeCursor([last.observedAt, last.metric]) : null } };
    },
    historyBuckets(asset, { metric, from, to, every }, ctx, info) {
      const window = windowArg(from, to);
      const ends = selectsField(info.fieldNodes, 'first') || selectsField(info.fieldNodes, 'last');
      return ctx.loaders.historyBuckets(metric, window.from, window.to, bucketWidthArg(ctx, every, window), ends).load(asset.id);
    },
    stateAt: (asset, { asOf }, ctx) => ctx.history.stateAt(asset.id, dateTimeArg(asOf, 'asOf')),
  },
};
