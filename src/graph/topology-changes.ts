import type { AssetRecord, RelationshipChange, RelationshipKey, TopologyChanges } from './types';

/**
 * Building TopologyChanges, shared by both adapters so that they report a write the same way.
 * Each adapter computes them inside the write's transaction from what it read and wrote there.
 */

export function changeSet(parts: Partial<TopologyChanges> = {}): TopologyChanges {
  return { assetsUpserted: [], assetsCreated: [], assetsDeleted: [], relationshipsUpserted: [], relationshipsDeleted: [], ...parts };
}

/**
 * What an upsert batch changed: `stored` is each asset as it was before the batch (absent when
 * new), `current` as it is after. Only assets whose record changed are listed, in `ids` order.
 */
export function upsertChanges(ids: string[], stored: ReadonlyMap<string, AssetRecord>, current: ReadonlyMap<string, AssetRecord>): TopologyChanges {
  const changed = ids.filter((id) => current.get(id) !== stored.get(id));
  return changeSet({
    assetsUpserted: changed.map((id) => current.get(id)!),
    assetsCreated: changed.filter((id) => !stored.has(id)),
  });
}

const keyOf = (r: RelationshipKey) => `${r.from}\u0000${r.type}\u0000${r.to}`;
const keyOfChange = (r: RelationshipChange) => keyOf({ from: r.from.id, type: r.type, to: r.to.id });

/** Each relationship once by (from, type, to); the last occurrence wins, as it is the one stored. */
export function uniqueRelationships(changes: RelationshipChange[]): RelationshipChange[] {
  return [...new Map(changes.map((c) => [keyOfChange(c), c])).values()];
}
