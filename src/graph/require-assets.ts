import { notFound } from '../errors';
import type { TopologyStore } from './ports/topology-store';

/** How many missing ids an error names before "and N more": the message stays small whatever was sent. */
const NAMED = 5;

/** Fail with NOT_FOUND, naming the argument and the first ids that do not exist (one store call). */
export async function requireAssets(store: Pick<TopologyStore, 'existingIds'>, ids: string[], name: string): Promise<void> {
  const existing = await store.existingIds(ids);
  const missing = [...new Set(ids)].filter((id) => !existing.has(id));
  if (missing.length > 0) {
    const more = missing.length > NAMED ? ` and ${missing.length - NAMED} more` : '';
    const named = missing.slice(0, NAMED);
    throw notFound(`${name}: no asset with id ${named.map((id) => `"${id}"`).join(', ')}${more}`, { field: name, ids: named, missing: missing.length });
  }
}
