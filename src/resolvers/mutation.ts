import type {
  MutationDeleteAssetsArgs,
  MutationImportTopologyArgs,
  MutationRelateArgs,
  MutationResolvers,
  MutationUnrelateArgs,
  MutationUpsertAssetsArgs,
} from '../generated/graphql';
import type { AssetWrite, RelationshipKey, RelationshipWrite } from '../graph/types';
import { importTopology } from '../import/import-topology';
import { checkAssetWrite, checkBatch, checkRelationshipKey, checkRelationshipWrite } from '../model/validate';
import { batchArg, idsArg } from './arguments';
import type { AuditedIds } from './authorize';

/**
 * Every batch is validated whole before anything is written; the store writes it atomically and
 * says what changed, which is published on the topology channel (src/live/topology-events.ts);
 * publishing problems are logged and never fail the mutation.
 */
export const Mutation: MutationResolvers = {
  async upsertAssets(_, { input }, ctx) {
    const writes = checkBatch(batchArg(ctx, input) as AssetWrite[], (a, where) => checkAssetWrite(ctx.model, a, where));
    const { assets, changes } = await ctx.store.upsertAssets(writes);
    for (const asset of assets) ctx.loaders.asset.clear(asset.id).prime(asset.id, asset);
    await ctx.topology.publish(changes);
    return assets;
  },

  async deleteAssets(_, { ids }, ctx) {
    const checked = idsArg(batchArg(ctx, ids, 'ids'), 'ids');
    const { deleted, changes } = await ctx.store.deleteAssets(checked);
    for (const id of checked) ctx.loaders.asset.clear(id);
    await ctx.topology.publish(changes);
    return deleted;
  },

  async relate(_, { input }, ctx) {
    const writes = checkBatch(batchArg(ctx, input) as RelationshipWrite[], (r, where) => checkRelationshipWrite(ctx.model, r, where));
    const { relationships, changes } = await ctx.store.relate(writes);
    await ctx.topology.publish(changes);
    return relationships;
  },

  async unrelate(_, { input }, ctx) {
    const keys = checkBatch(batchArg(ctx, input) as RelationshipKey[], (k, where) => checkRelationshipKey(ctx.model, k, where));
    const { removed, changes } = await ctx.store.unrelate(keys);
    await ctx.topology.publish(changes);
    return removed;
  },

  async importTopology(_, { assets, relationships }, ctx) {
    batchArg(ctx, [...(assets ?? []), ...(relationships ?? [])], 'assets + relationships');
    // Each batch the import writes is published as it goes, like any other write.
    const report = await importTopology(ctx.store, ctx.model, { assets: assets ?? [], relationships: relationships ?? [] }, { onWritten: (changes) => ctx.topology.publish(changes) });
    // The import may have changed assets this request has cached.
    ctx.loaders.asset.clearAll();
    return report;
  },
};

const endpoints = (args: MutationRelateArgs | MutationUnrelateArgs) => args.input.flatMap((r) => [r.from, r.to]);

export const mutationAudited: AuditedIds = {
  upsertAssets: (args: MutationUpsertAssetsArgs) => args.input.map((a) => a.id),
  deleteAssets: (args: MutationDeleteAssetsArgs) => [...args.ids],
  relate: endpoints,
  unrelate: endpoints,
  importTopology: (args: MutationImportTopologyArgs) => (args.assets ?? []).map((a) => (a as { id: string }).id),
};
