import { Kind, type GraphQLResolveInfo } from 'graphql';
import type { Resolvers } from '../generated/graphql';
import type { AssetRecord } from '../graph/types';
import { depthArg, typesArg } from './arguments';
import type { RequestContext } from './context';
import { liveAsset } from './live';
import { DateTimeScalar, JSONScalar } from './scalars';

/** True when a field selects nothing of its asset but `id` (and `__typename`). */
function onlyId(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.every((node) =>
    (node.selectionSet?.selections ?? []).every((s) => s.kind === Kind.FIELD && (s.name.value === 'id' || s.name.value === '__typename')),
  );
}

/** An endpoint of a relationship: not loaded when the query only wants its id. */
function endpoint(id: string, ctx: RequestContext, info: GraphQLResolveInfo) {
  return onlyId(info) ? ({ id } as AssetRecord) : assetById(id, ctx);
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
    dependencies: (asset, { maxDepth, types }, ctx) =>
      ctx.loaders.reachable('UPSTREAM', depthArg(ctx, maxDepth), typesArg(ctx, types)).load(asset.id),
    dependents: (asset, { maxDepth, types }, ctx) =>
      ctx.loaders.reachable('DOWNSTREAM', depthArg(ctx, maxDepth), typesArg(ctx, types)).load(asset.id),
  },

  Relationship: {
    from: (rel, _, ctx, info) => endpoint(rel.from, ctx, info),
    to: (rel, _, ctx, info) => endpoint(rel.to, ctx, info),
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
