import type { MutationResolvers } from '../generated/graphql';
import type { AssetWrite, RelationshipKey, RelationshipWrite } from '../graph/types';
import { importTopology } from '../import/import-topology';
import { checkAssetWrite, checkBatch, checkRelationshipKey, checkRelationshipWrite } from '../model/validate';
import { batchArg, idsArg } from './arguments';

/** Every batch is validated whole before anything is written; the store writes it atomically. */
export const Mutation: MutationResolvers = {
  async upsertAssets(_, { input }, ctx) {
    const writes = checkBatch(batchArg(ctx, input) as AssetWrite[], (a, where) => checkAssetWrite(ctx.model, a, where));
    const assets = await ctx.store.upsertAssets(writes);
    for (const asset of assets) ctx.loaders.asset.clear(asset.id).prime(asset.id, asset);
    return assets;
  },

  async deleteAssets(_, { ids }, ctx) {
    const checked = idsArg(batchArg(ctx, ids, 'ids'), 'ids');
    const deleted = await ctx.store.deleteAssets(checked);
    for (const id of checked) ctx.loaders.asset.clear(id);
    return deleted;
  },

  relate(_, { input }, ctx) {
    const writes = checkBatch(batchArg(ctx, input) as RelationshipWrite[], (r, where) => checkRelationshipWrite(ctx.model, r, where));
    return ctx.store.relate(writes);
  },

  unrelate(_, { input }, ctx) {
    const keys = checkBatch(batchArg(ctx, input) as RelationshipKey[], (k, where) => checkRelationshipKey(ctx.model, k, where));
    return ctx.store.unrelate(keys);
  },

  importTopology(_, { assets, relationships }, ctx) {
    batchArg(ctx, [...(assets ?? []), ...(relationships ?? [])], 'assets + relationships');
    return importTopology(ctx.store, ctx.model, { assets: assets ?? [], relationships: relationships ?? [] });
  },
};
