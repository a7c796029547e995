import { requireAssets } from '../../src/graph/require-assets';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { loadImpactEdges, reachable } from '../../src/graph/traversal';
import type { AssetListQuery, AssetRecord, DependencySide, Direction, Hop, RelationshipRecord } from '../../src/graph/types';
import { checkAssetId } from '../../src/model/validate';
import { resolvers } from '../../src/resolvers';
import { depthArg, filterArg, idsArg, pageSizeArg, sortArg, typesArg } from '../../src/resolvers/arguments';
import { assetAfter, encodeCursor } from '../../src/resolvers/paging';
import type { RequestContext } from '../../src/resolvers/context';
import { loadTypeDefs } from '../../src/schema';
import { computeImpact, type ImpactEntry } from '../../src/sim/impact';

/**
 * The naive resolver path, for comparison only: the project's SDL and resolvers, except that
 * every field that goes through a DataLoader in src/resolvers calls the store itself, once per
 * parent object. That is what "resolvers without DataLoader" cost: a page of 100 assets asks
 * for relationships 100 times and for each endpoint once; a traversal result asks for each hop's
 * asset once. Query arguments are parsed with the same helpers, so both paths do the same work
 * apart from batching.
 */

type Ctx = RequestContext;

async function oneAsset(ctx: Ctx, id: string): Promise<AssetRecord> {
  const [asset] = await ctx.store.getAssets([id]);
  if (!asset) throw new Error(`asset ${id} vanished during the request`);
  return asset;
}

async function naiveReachable(ctx: Ctx, asset: AssetRecord, side: DependencySide, args: { maxDepth?: number | null; types?: readonly string[] | null }): Promise<Hop[]> {
  const byId = await reachable(ctx.store, [asset.id], side, { maxDepth: depthArg(ctx, args.maxDepth), types: typesArg(ctx, args.types) });
  return byId.get(asset.id) ?? [];
}

const base = resolvers as Record<string, Record<string, unknown>>;

export const naiveResolvers = {
  ...base,
  Query: {
    ...base.Query,
    asset: async (_: unknown, { id }: { id: string }, ctx: Ctx) => (await ctx.store.getAssets([checkAssetId(id, 'id')]))[0],
    async assets(_: unknown, args: { where?: never; orderBy?: never; first?: number | null; after?: string | null }, ctx: Ctx) {
      const query: AssetListQuery = {
        filter: filterArg(ctx, args.where),
        sort: sortArg(args.orderBy),
        after: assetAfter(args.after),
        limit: pageSizeArg(ctx, args.first),
      };
      const page = await ctx.store.listAssets(query);
      const edges = page.assets.map((asset, i) => ({ asset, cursor: encodeCursor([page.sortValues[i], asset.id]) }));
      return { edges, hasNextPage: page.hasNextPage, query };
    },
    async impact(_: unknown, { failed, maxDepth, types }: { failed: string[]; maxDepth?: number | null; types?: string[] | null }, ctx: Ctx) {
      const ids = [...new Set(idsArg(failed, 'failed'))];
      const opts = { maxDepth: depthArg(ctx, maxDepth), types: typesArg(ctx, types) };
      await requireAssets(ctx.store, ids, 'failed');
      return computeImpact(await loadImpactEdges(ctx.store, ids, opts), ids);
    },
  },
  Asset: {
    ...base.Asset,
    async relationships(asset: AssetRecord, { direction, types }: { direction?: Direction | null; types?: string[] | null }, ctx: Ctx): Promise<RelationshipRecord[]> {
      const byId = await ctx.store.relationshipsOf([asset.id], direction ?? 'BOTH', typesArg(ctx, types));
      return byId.get(asset.id) ?? [];
    },
    dependencies: (asset: AssetRecord, args: { maxDepth?: number | null; types?: string[] | null }, ctx: Ctx) => naiveReachable(ctx, asset, 'UPSTREAM', args),
    dependents: (asset: AssetRecord, args: { maxDepth?: number | null; types?: string[] | null }, ctx: Ctx) => naiveReachable(ctx, asset, 'DOWNSTREAM', args),
  },
  Relationship: {
    from: (rel: RelationshipRecord, _: unknown, ctx: Ctx) => oneAsset(ctx, rel.from),
    to: (rel: RelationshipRecord, _: unknown, ctx: Ctx) => oneAsset(ctx, rel.to),
  },
  AssetHop: {
    asset: (hop: Hop, _: unknown, ctx: Ctx) => oneAsset(ctx, hop.id),
  },
  ImpactedAsset: {
    asset: (entry: ImpactEntry, _: unknown, ctx: Ctx) => oneAsset(ctx, entry.id),
  },
};

export function naiveSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: naiveResolvers as never });
}
