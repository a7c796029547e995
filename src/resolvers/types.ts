import type { Resolvers } from '../generated/graphql';
import { depthArg, typesArg } from './arguments';
import type { RequestContext } from './context';
import { liveAsset } from './live';
import { DateTimeScalar, JSONScalar } from './scalars';

/** Load an asset that a relationship, hop or impact entry points at. */
async function assetById(id: string, ctx: RequestContext) {
  const asset = await ctx.loaders.asset.load(id);
  if (!asset) throw new Error(`asset ${id} vanished during the request`);
  return asset;
}

/** Field resolvers of the object types (Query and Mutation live in their own files). */
export const typeResolvers: Resolvers = {
  JSON: JSONScalar,
  DateTime: DateTimeScalar,

  Asset: {
    ...liveAsset,
    relationships: (asset, { direction, types }, ctx) =>
      ctx.loaders.relationships(direction ?? 'BOTH', typesArg(ctx, types)).load(asset.id),
    dependencies: (asset, { maxDepth, types }, ctx) =>
      ctx.loaders.reachable('UPSTREAM', depthArg(ctx, maxDepth), typesArg(ctx, types)).load(asset.id),
    dependents: (asset, { maxDepth, types }, ctx) =>
      ctx.loaders.reachable('DOWNSTREAM', depthArg(ctx, maxDepth), typesArg(ctx, types)).load(asset.id),
  },

  Relationship: {
    from: (rel, _, ctx) => assetById(rel.from, ctx),
    to: (rel, _, ctx) => assetById(rel.to, ctx),
  },

  AssetHop: {
    asset: (hop, _, ctx) => assetById(hop.id, ctx),
  },

  ImpactedAsset: {
    asset: (entry, _, ctx) => assetById(entry.id, ctx),
  },

  AssetConnection: {
    edges: (page) => page.edges,
    pageInfo: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null }),
    totalCount: (page, _, ctx) => ctx.store.countAssets(page.query.filter),
  },

  AssetEdge: {
    node: (edge) => edge.asset,
  },
};
