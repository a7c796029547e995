import { notFound } from '../errors';
import type { TopologyStore } from './ports/topology-store';

/** Fail with NOT_FOUND, naming the argument and listing every id that does not exist (one store call). */
export async function requireAssets(store: Pick<TopologyStore, 'existingIds'>, ids: string[], name: string): Promise<void> {
  const existing = await store.existingIds(ids);
  const missing = [...new Set(ids)].filter((id) => !existing.has(id));
  if (missing.length > 0) {
    throw notFound(`${name}: no asset with id ${missing.map((id) => `"${id}"`).join(', ')}`, { field: name, ids: missing });
  }
}
