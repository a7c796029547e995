import { requireAssets } from '../graph/require-assets';
import type { QueryResolvers } from '../generated/graphql';
import { loadImpactEdges, shortestPath } from '../graph/traversal';
import type { AssetListQuery } from '../graph/types';
import { checkAssetId } from '../model/validate';
import { computeImpact } from '../sim/impact';
import { depthArg, filterArg, idsArg, listArg, pageSizeArg, sortArg, typesArg } from './arguments';
import { assetAfter, encodeCursor } from './paging';

export const Query: QueryResolvers = {
  asset: (_, { id }, ctx) => ctx.loaders.asset.load(checkAssetId(id, 'id')),

  async assets(_, { where, orderBy, first, after }, ctx) {
    const query: AssetListQuery = {
      filter: filterArg(ctx, where),
      sort: sortArg(orderBy),
      after: assetAfter(after),
      limit: pageSizeArg(ctx, first),
    };
    const page = await ctx.store.listAssets(query);
    const edges = page.assets.map((asset, i) => {
      ctx.loaders.asset.prime(asset.id, asset);
      return { asset, cursor: encodeCursor([page.sortValues[i], asset.id]) };
    });
    return { edges, hasNextPage: page.hasNextPage, query };
  },

  async impact(_, { failed, maxDepth, types }, ctx) {
    const ids = [...new Set(idsArg(listArg(ctx, failed, 'failed'), 'failed'))];
    const opts = { maxDepth: depthArg(ctx, maxDepth), types: typesArg(ctx, types) };
    await requireAssets(ctx.store, ids, 'failed');
    return computeImpact(await loadImpactEdges(ctx.store, ids, opts), ids);
  },

  async path(_, { from, to, types, maxDepth }, ctx) {
    const ends = [checkAssetId(from, 'from'), checkAssetId(to, 'to')];
    const opts = { maxDepth: depthArg(ctx, maxDepth), types: typesArg(ctx, types) };
    await requireAssets(ctx.store, ends, 'from/to');
    const ids = await shortestPath(ctx.store, ends[0], ends[1], opts);
    return ids && (await ctx.loaders.asset.loadMany(ids)).map((a) => {
      if (!a || a instanceof Error) throw a ?? new Error('asset of a path vanished');
      return a;
    });
  },

  model: (_, __, ctx) => ctx.model.model,
};
