import type { GraphQLResolveInfo } from 'graphql';
import type { Resolvers } from '../generated/graphql';
import type { AssetRecord } from '../graph/types';
import { depthArg, typesArg } from './arguments';
import type { RequestContext } from './context';
import { liveAsset } from './live';
import { DateTimeScalar, JSONScalar } from './scalars';
import { assetNeed, nestedAssetNeed } from './selection';

/** An endpoint of a relationship or hop: not loaded when the query only wants its id. */
function endpoint(id: string, ctx: RequestContext, info: GraphQLResolveInfo) {
  return assetNeed(info.fieldNodes) === 'id' ? ({ id } as AssetRecord) : assetById(id, ctx);
}

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
    dependencies: (asset, { maxDepth, types }, ctx, info) =>
      ctx.loaders.reachable('UPSTREAM', depthArg(ctx, maxDepth), typesArg(ctx, types), nestedAssetNeed(info.fieldNodes)).load(asset.id),
    dependents: (asset, { maxDepth, types }, ctx, info) =>
      ctx.loaders.reachable('DOWNSTREAM', depthArg(ctx, maxDepth), typesArg(ctx, types), nestedAssetNeed(info.fieldNodes)).load(asset.id),
  },

  Relationship: {
    from: (rel, _, ctx, info) => endpoint(rel.from, ctx, info),
    to: (rel, _, ctx, info) => endpoint(rel.to, ctx, info),
  },

  AssetHop: {
    asset: (hop, _, ctx, info) => hop.asset ?? endpoint(hop.id, ctx, info),
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
