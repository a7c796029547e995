import type { GraphSnapshot } from '../graph/types';

/**
 * Dense integer indices for the engines' typed arrays: every asset of the snapshot, every edge
 * endpoint and every failed id, sorted, so results never depend on storage order.
 */
export function indexSnapshot(snapshot: GraphSnapshot, failed: string[]): { ids: string[]; index: Map<string, number>; kinds: (string | null)[] } {
  const idSet = new Set<string>(snapshot.assets.keys());
  for (const { supplier, consumer } of snapshot.edges) {
    idSet.add(supplier);
    idSet.add(consumer);
  }
  for (const id of failed) idSet.add(id);
  const ids = [...idSet].sort();
  return { ids, index: new Map(ids.map((id, i) => [id, i])), kinds: ids.map((id) => snapshot.assets.get(id)?.kind ?? null) };
}
