import type { AssetResolvers, MutationResolvers, QueryResolvers } from '../generated/graphql';
import type { ReportResult } from '../live/state-ingestor';
import type { AssetRecord } from '../graph/types';
import type { RequestContext } from './context';
import { batchArg, DEFAULT_PAGE_SIZE, pageSizeArg } from './arguments';
import { idAfter, idConnection } from './paging';
import type { AuditedIds } from './authorize';

/** Resolvers of live state: reportState, the quarantine, ingest counters, freshness. */

export const liveQuery: QueryResolvers = {
  async rejectedReports(_, { first, after }, ctx) {
    const { reports, hasNextPage } = await ctx.store.listQuarantine(pageSizeArg(ctx, first ?? DEFAULT_PAGE_SIZE), idAfter(after));
    return idConnection(reports, hasNextPage, (r) => r.id);
  },
  stateIngestStats: (_, __, ctx) => {
    const c = ctx.ingestor.counts;
    return { accepted: c.ACCEPTED, duplicate: c.DUPLICATE, stale: c.STALE, rejected: c.REJECTED };
  },
};

export const liveMutation: MutationResolvers = {
  async reportState(_, { input }, ctx) {
    const summary = await ctx.ingestor.ingest([...batchArg(ctx, input)]);
    // Accepted reports changed assets this request may read back.
    for (const r of summary.results) if (r.outcome === 'ACCEPTED' && r.assetId) ctx.loaders.asset.clear(r.assetId);
    return summary;
  },
};

export const liveAudited: AuditedIds = {
  reportState: (_args: unknown, result: { results: ReportResult[] }) => result.results.filter((r) => r.outcome === 'ACCEPTED' && r.assetId).map((r) => r.assetId!),
};

/** Newest observation of any metric, in ms since the epoch, or null. */
function newestObservation(asset: AssetRecord): number | null {
  const times = Object.values(asset.stateObservedAt).map((t) => Date.parse(t));
  return times.length ? Math.max(...times) : null;
}

export const liveAsset: AssetResolvers = {
  status: (asset) => asset.status ?? 'UNKNOWN',
  stateObservedAt: (asset) => asset.stateObservedAt,
  freshness(asset) {
    const newest = newestObservation(asset);
    return newest === null ? null : Math.max(0, (Date.now() - newest) / 1000);
  },
  stale(asset, _, ctx: RequestContext) {
    const interval = ctx.model.expectedIntervalSeconds.get(asset.kind);
    if (interval === undefined) return false;
    const newest = newestObservation(asset);
    return newest === null || Date.now() - newest > interval * ctx.config.state.staleFactor * 1000;
  },
};
