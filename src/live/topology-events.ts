import type DataLoader from 'dataloader';
import type { GraphStore } from '../graph/graph-store';
import type { AssetRecord, AssetWrite, RelationshipKey, RelationshipRecord, RelationshipWrite } from '../graph/types';
import type { Logger } from '../logger';
import type { AssetRef, TopologyEvent } from './events';
import { CHANNELS, type PubSub } from './pubsub';

/**
 * TopologyEvents from the results of topology writes, published on CHANNELS.topology.
 *
 * What a write returns is not always enough to describe it (a delete returns a count, a
 * relationship names its endpoints by id only), so some events are prepared from reads made
 * just before the write, always in batch (the request's asset DataLoader, one store call per
 * question). Preparing and publishing never throw: a failure is logged and the write stands,
 * with fewer or no events.
 */

/** What the helpers use of a request context (RequestContext has all of it). */
export interface TopologyContext {
  store: GraphStore;
  pubsub: PubSub;
  logger: Logger;
  loaders: { asset: DataLoader<string, AssetRecord | null> };
}

/** A TopologyEvent before it is stamped with the time of publication. */
export type TopologyChangeEvent = Omit<TopologyEvent, 'at'>;

const relationshipKey = (r: RelationshipKey) => `${r.from}\u0000${r.type}\u0000${r.to}`;

/** Publish events on CHANNELS.topology in one batch, stamped with one time; never rejects. */
export async function publishTopology(ctx: TopologyContext, events: TopologyChangeEvent[]): Promise<void> {
  if (events.length === 0) return;
  const at = new Date().toISOString();
  try {
    await ctx.pubsub.publish(CHANNELS.topology, events.map((e) => ({ ...e, at }) satisfies TopologyEvent));
  } catch (err) {
    ctx.logger.error({ err, events: events.length }, 'could not publish topology events');
  }
}

/** Run a preparation step; on failure log it and return null (the write goes on without events). */
async function prepare<T>(ctx: TopologyContext, what: string, step: () => Promise<T>): Promise<T | null> {
  try {
    return await step();
  } catch (err) {
    ctx.logger.error({ err }, `could not prepare topology events for ${what}; the write goes on without them`);
    return null;
  }
}

/** Assets by id through a batch loader; errors and missing ids are left out. */
async function assetsById(load: (ids: string[]) => Promise<(AssetRecord | null | Error)[]>, ids: string[]): Promise<Map<string, AssetRecord>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const found = await load(unique);
  const byId = new Map<string, AssetRecord>();
  found.forEach((asset) => {
    if (asset && !(asset instanceof Error)) byId.set(asset.id, asset);
  });
  return byId;
}

const viaLoader = (ctx: TopologyContext) => (ids: string[]) => ctx.loaders.asset.loadMany(ids);
const viaStore = (store: GraphStore) => (ids: string[]) => store.getAssets(ids);

const refOf = (asset: AssetRecord): AssetRef => ({ id: asset.id, kind: asset.kind });

/** Relationship events with both endpoints' ids and kinds; relationships whose endpoint is unknown are left out. */
function relationshipEvents(
  change: 'RELATIONSHIP_UPSERTED' | 'RELATIONSHIP_DELETED',
  relationships: (RelationshipKey & { properties?: RelationshipRecord['properties'] })[],
  assets: Map<string, AssetRecord>,
): TopologyChangeEvent[] {
  const seen = new Set<string>();
  const events: TopologyChangeEvent[] = [];
  for (const r of relationships) {
    const key = relationshipKey(r);
    const from = assets.get(r.from);
    const to = assets.get(r.to);
    if (seen.has(key) || !from || !to) continue;
    seen.add(key);
    events.push({ change, relationship: { type: r.type, from: refOf(from), to: refOf(to), ...(r.properties ? { properties: r.properties } : {}) } });
  }
  return events;
}

/** Versions of the assets about to be upserted (absent = new), to tell real changes from no-ops. */
export function versionsBeforeUpsert(ctx: TopologyContext, writes: AssetWrite[], load = viaLoader(ctx)): Promise<Map<string, number> | null> {
  return prepare(ctx, 'upsertAssets', async () => {
    const before = await assetsById(load, writes.map((w) => w.id));
    return new Map([...before].map(([id, asset]) => [id, asset.version]));
  });
}

/** ASSET_UPSERTED for every asset created or changed (the version moved); all of them when `before` is unknown. */
export function assetUpsertedEvents(assets: AssetRecord[], before: Map<string, number> | null): TopologyChangeEvent[] {
  const latest = new Map(assets.map((a) => [a.id, a]));
  return [...latest.values()]
    .filter((a) => before === null || before.get(a.id) !== a.version)
    .map((a) => ({ change: 'ASSET_UPSERTED', asset: refOf(a) }));
}

/** RELATIONSHIP_UPSERTED for written relationships, with endpoint kinds loaded in one batch. */
export async function relationshipUpsertedEvents(ctx: TopologyContext, written: RelationshipRecord[], load = viaLoader(ctx)): Promise<TopologyChangeEvent[]> {
  const events = await prepare(ctx, 'relate', async () => {
    const endpoints = await assetsById(load, written.flatMap((r) => [r.from, r.to]));
    return relationshipEvents('RELATIONSHIP_UPSERTED', written, endpoints);
  });
  return events ?? [];
}

/**
 * Before deleting assets: the events the deletion will cause, read while the assets and their
 * relationships still exist. RELATIONSHIP_DELETED for each relationship removed with them
 * (once, even between two deleted assets), then ASSET_DELETED for each asset that exists.
 */
export async function eventsOfDeletion(ctx: TopologyContext, ids: string[]): Promise<TopologyChangeEvent[] | null> {
  return prepare(ctx, 'deleteAssets', async () => {
    const unique = [...new Set(ids)];
    const byAsset = await ctx.store.relationshipsOf(unique, 'BOTH');
    const relationships = [...byAsset.values()].flat();
    const assets = await assetsById(viaLoader(ctx), [...unique, ...relationships.flatMap((r) => [r.from, r.to])]);
    const assetEvents: TopologyChangeEvent[] = unique.filter((id) => assets.has(id)).map((id) => ({ change: 'ASSET_DELETED', asset: refOf(assets.get(id)!) }));
    return [...relationshipEvents('RELATIONSHIP_DELETED', relationships, assets), ...assetEvents];
  });
}

/** Before removing relationships: RELATIONSHIP_DELETED for each key that exists, with its properties and endpoint kinds. */
export async function eventsOfUnrelate(ctx: TopologyContext, keys: RelationshipKey[]): Promise<TopologyChangeEvent[] | null> {
  return prepare(ctx, 'unrelate', async () => {
    if (keys.length === 0) return [];
    const wanted = new Set(keys.map(relationshipKey));
    const sources = [...new Set(keys.map((k) => k.from))];
    const types = [...new Set(keys.map((k) => k.type))];
    const byAsset = await ctx.store.relationshipsOf(sources, 'OUT', types);
    const existing = [...byAsset.values()].flat().filter((r) => wanted.has(relationshipKey(r)));
    const assets = await assetsById(viaLoader(ctx), existing.flatMap((r) => [r.from, r.to]));
    return relationshipEvents('RELATIONSHIP_DELETED', existing, assets);
  });
}

/**
 * The store as `importTopology` should see it: every batch of assets or relationships it
 * writes successfully is published as it goes (records the import rejects produce no event).
 * Reads go straight to the store, in one batch per written batch, so nothing is cached across
 * the import's own writes.
 */
export function publishingStore(ctx: TopologyContext): GraphStore {
  const store = ctx.store;
  const load = viaStore(store);
  const upsertAssets = async (writes: AssetWrite[]): Promise<AssetRecord[]> => {
    const before = await versionsBeforeUpsert(ctx, writes, load);
    const assets = await store.upsertAssets(writes);
    await publishTopology(ctx, assetUpsertedEvents(assets, before));
    return assets;
  };
  const relate = async (writes: RelationshipWrite[]): Promise<RelationshipRecord[]> => {
    const written = await store.relate(writes);
    await publishTopology(ctx, await relationshipUpsertedEvents(ctx, written, load));
    return written;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'upsertAssets') return upsertAssets;
      if (prop === 'relate') return relate;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
