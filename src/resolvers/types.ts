import type { GraphQLResolveInfo } from 'graphql';
import type { Resolvers } from '../generated/graphql';
import { depthArg, typesArg } from './arguments';
import { scopeAt } from './as-of';
import type { RequestContext } from './context';
import { liveAsset } from './live';
import { DateTimeScalar, JSONScalar } from './scalars';
import type { AsOf, AssetParent } from './parents';
import { assetNeed, nestedAssetNeed, selectsField } from './selection';

/**
 * The asset a relationship, hop or impact entry points at (as of `asOf`), with no more loaded
 * than the query selects: nothing when it wants the id alone, a summary for id, kind and name.
 */
async function pointedAt(id: string, asOf: string | undefined, ctx: RequestContext, info: GraphQLResolveInfo) {
  const need = assetNeed(info.fieldNodes);
  if (need === 'id') return { id, asOf } as AssetParent;
  const { loaders } = await scopeAt(ctx, asOf);
  const asset = await (need === 'summary' ? loaders.summary : loaders.asset).load(id);
  if (!asset) throw new Error(`asset ${id} vanished during the request`);
  return asset;
}

/** The loaders of the moment a parent was read at (now, or its asOf). */
const loadersOf = async (ctx: RequestContext, parent: AsOf) => (await scopeAt(ctx, parent.asOf)).loaders;

/** Field resolvers of the object types (Query and Mutation live in their own files). */
export const typeResolvers: Resolvers = {
  JSON: JSONScalar,
  DateTime: DateTimeScalar,

  Asset: {
    ...liveAsset,
    asOf: (asset) => asset.asOf ?? null,
    relationships: async (asset, { direction, types }, ctx, info) =>
      (await loadersOf(ctx, asset)).relationships(direction ?? 'BOTH', typesArg(ctx, types), selectsField(info.fieldNodes, 'properties')).load(asset.id),
    dependencies: async (asset, { maxDepth, types }, ctx, info) =>
      (await loadersOf(ctx, asset)).reachable('UPSTREAM', depthArg(ctx, maxDepth), typesArg(ctx, types), nestedAssetNeed(info.fieldNodes)).load(asset.id),
    dependents: async (asset, { maxDepth, types }, ctx, info) =>
      (await loadersOf(ctx, asset)).reachable('DOWNSTREAM', depthArg(ctx, maxDepth), typesArg(ctx, types), nestedAssetNeed(info.fieldNodes)).load(asset.id),
  },

  Relationship: {
    from: (rel, _, ctx, info) => pointedAt(rel.from, rel.asOf, ctx, info),
    to: (rel, _, ctx, info) => pointedAt(rel.to, rel.asOf, ctx, info),
  },

  AssetHop: {
    asset: (hop, _, ctx, info) => hop.asset ?? pointedAt(hop.id, hop.asOf, ctx, info),
  },

  ImpactedAsset: {
    asset: (entry, _, ctx, info) => pointedAt(entry.id, entry.asOf, ctx, info),
  },

  AssetConnection: {
    edges: (page) => page.edges,
    pageInfo: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null }),
    totalCount: async (page, _, ctx) => (await scopeAt(ctx, page.asOf)).topology.countAssets(page.query.filter),
  },

  AssetEdge: {
    node: (edge) => edge.asset,
  },
};
