import type { MutationResolvers } from '../generated/graphql';
import type { AssetWrite, RelationshipKey, RelationshipWrite } from '../graph/types';
import { importTopology } from '../import/import-topology';
import {
  assetUpsertedEvents,
  eventsOfDeletion,
  eventsOfUnrelate,
  publishingStore,
  publishTopology,
  relationshipUpsertedEvents,
  versionsBeforeUpsert,
} from '../live/topology-events';
import { checkAssetWrite, checkBatch, checkRelationshipKey, checkRelationshipWrite } from '../model/validate';
import { batchArg, idsArg } from './arguments';

/**
 * Every batch is validated whole before anything is written; the store writes it atomically.
 * After each successful write the change is published on the topology channel (see
 * src/live/topology-events.ts); publishing problems are logged and never fail the mutation.
 */
export const Mutation: MutationResolvers = {
  async upsertAssets(_, { input }, ctx) {
    const writes = checkBatch(batchArg(ctx, input) as AssetWrite[], (a, where) => checkAssetWrite(ctx.model, a, where));
    const before = await versionsBeforeUpsert(ctx, writes);
    const assets = await ctx.store.upsertAssets(writes);
    for (const asset of assets) ctx.loaders.asset.clear(asset.id).prime(asset.id, asset);
    await publishTopology(ctx, assetUpsertedEvents(assets, before));
    return assets;
  },

  async deleteAssets(_, { ids }, ctx) {
    const checked = idsArg(batchArg(ctx, ids, 'ids'), 'ids');
    const events = await eventsOfDeletion(ctx, checked);
    const deleted = await ctx.store.deleteAssets(checked);
    for (const id of checked) ctx.loaders.asset.clear(id);
    if (events) await publishTopology(ctx, events);
    return deleted;
  },

  async relate(_, { input }, ctx) {
    const writes = checkBatch(batchArg(ctx, input) as RelationshipWrite[], (r, where) => checkRelationshipWrite(ctx.model, r, where));
    const written = await ctx.store.relate(writes);
    // Also primes the asset loader with both endpoints, which the response usually asks for.
    await publishTopology(ctx, await relationshipUpsertedEvents(ctx, written));
    return written;
  },

  async unrelate(_, { input }, ctx) {
    const keys = checkBatch(batchArg(ctx, input) as RelationshipKey[], (k, where) => checkRelationshipKey(ctx.model, k, where));
    const events = await eventsOfUnrelate(ctx, keys);
    const removed = await ctx.store.unrelate(keys);
    if (events) await publishTopology(ctx, events);
    return removed;
  },

  async importTopology(_, { assets, relationships }, ctx) {
    batchArg(ctx, [...(assets ?? []), ...(relationships ?? [])], 'assets + relationships');
    // Each batch the import writes is published as it goes.
    const report = await importTopology(publishingStore(ctx), ctx.model, { assets: assets ?? [], relationships: relationships ?? [] });
    // The import may have changed assets this request has cached.
    ctx.loaders.asset.clearAll();
    return report;
  },
};
