import { requireAssets } from '../graph/require-assets';
import type { QueryResolvers } from '../generated/graphql';
import { loadImpactEdges, shortestPath } from '../graph/traversal';
import type { AssetListQuery } from '../graph/types';
import { checkAssetId } from '../model/validate';
import { computeImpact } from '../sim/impact';
import { depthArg, filterArg, idsArg, listArg, pageSizeArg, sortArg, typesArg } from './arguments';
import { scopeOfArg } from './as-of';
import { assetNeed } from './selection';
import { assetAfter, encodeCursor } from './paging';

export const Query: QueryResolvers = {
  asset: async (_, { id, asOf }, ctx, info) => {
    const checked = checkAssetId(id, 'id');
    const { loaders } = await scopeOfArg(ctx, asOf);
    // A summary also tells whether the asset exists (null when not): enough when no more is selected.
    return (assetNeed(info.fieldNodes) === 'full' ? loaders.asset : loaders.summary).load(checked);
  },

  async assets(_, { where, orderBy, first, after, asOf }, ctx) {
    const query: AssetListQuery = {
      filter: filterArg(ctx, where),
      sort: sortArg(orderBy),
      after: assetAfter(after),
      limit: pageSizeArg(ctx, first),
    };
    const scope = await scopeOfArg(ctx, asOf);
    const page = await scope.topology.listAssets(query);
    const edges = page.assets.map((record, i) => {
      const asset = scope.asOf ? { ...record, asOf: scope.asOf } : record;
      scope.loaders.asset.prime(asset.id, asset);
      return { asset, cursor: encodeCursor([page.sortValues[i], asset.id]) };
    });
    return { edges, hasNextPage: page.hasNextPage, query, asOf: scope.asOf };
  },

  async impact(_, { failed, maxDepth, types, asOf }, ctx) {
    const ids = [...new Set(idsArg(listArg(ctx, failed, 'failed'), 'failed'))];
    const opts = { maxDepth: depthArg(ctx, maxDepth), types: typesArg(ctx, types) };
    const { topology, asOf: at } = await scopeOfArg(ctx, asOf);
    await requireAssets(topology, ids, 'failed');
    const report = computeImpact(await loadImpactEdges(topology, ids, opts), ids);
    if (at) for (const entry of [...report.down, ...report.atRisk]) Object.assign(entry, { asOf: at });
    return report;
  },

  async path(_, { from, to, types, maxDepth, asOf }, ctx) {
    const ends = [checkAssetId(from, 'from'), checkAssetId(to, 'to')];
    const opts = { maxDepth: depthArg(ctx, maxDepth), types: typesArg(ctx, types) };
    const { topology, loaders } = await scopeOfArg(ctx, asOf);
    await requireAssets(topology, ends, 'from/to');
    const ids = await shortestPath(topology, ends[0], ends[1], opts);
    return ids && (await loaders.asset.loadMany(ids)).map((a) => {
      if (!a || a instanceof Error) throw a ?? new Error('asset of a path vanished');
      return a;
    });
  },

  model: (_, __, ctx) => ctx.model.model,
};
