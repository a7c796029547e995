/**
 * What the store contract suites share (test/contract/*.contract.ts): the store factory type,
 * the run and id prefixes, opening and cleaning up the store, and the small builders.
 *
 * The suites, one per kind of data (topology, live state, scenarios, audit), together cover
 * every method of the GraphStore port plus the traversals of src/graph/traversal.ts, which are
 * written once over the port and so must behave the same on every store. Every adapter must
 * pass them all (see test/contract/<store>.<kind>.test.ts).
 *
 * Isolation: each suite has its own run id, each test works under its own id prefix
 * (`<runId>-t<n>-`) and only ever asserts on assets with that prefix, so the suites can run
 * against a shared database. Everything a suite created is deleted (by prefix) before its store
 * is closed.
 *
 * The store must be built with the built-in data-center model (FEEDS, COOLS, HOSTS are FORWARD;
 * DEPENDS_ON, RUNS_ON are REVERSE; CONTAINS, LOCATED_IN, CONNECTS_TO are NONE).
 */
import type { GraphStore } from '../../src/graph/graph-store';
import type { AssetCursor, AssetFilter, AssetRecord, AssetSort, DependencyEdge, RelationshipRecord, Scalar } from '../../src/graph/types';

/**
 * Builds a store that is not yet initialised; the suite calls `init()` and `close()`. Each call
 * gives another connection to the same data (a second process, for the concurrency tests).
 */
export type StoreFactory = () => Promise<GraphStore>;

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every asset matching `filter`, walking all pages (used for cleanup and for listings). */
export async function listAll(store: GraphStore, filter: AssetFilter, sort: AssetSort = { field: 'id', descending: false }, limit = 500) {
  const assets: AssetRecord[] = [];
  const sortValues: (Scalar | null)[] = [];
  const pages: { size: number; hasNextPage: boolean }[] = [];
  let after: AssetCursor | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await store.listAssets({ filter, sort, after, limit });
    expect(page.sortValues).toHaveLength(page.assets.length);
    assets.push(...page.assets);
    sortValues.push(...page.sortValues);
    pages.push({ size: page.assets.length, hasNextPage: page.hasNextPage });
    if (!page.hasNextPage || page.assets.length === 0) break;
    const last = page.assets.length - 1;
    after = { value: page.sortValues[last], id: page.assets[last].id };
  }
  return { assets, sortValues, pages };
}

export async function deleteByPrefix(store: GraphStore, idPrefix: string): Promise<void> {
  const { assets } = await listAll(store, { idPrefix });
  if (assets.length > 0) await store.deleteAssets(assets.map((a) => a.id));
}

/**
 * A suite's run: a run id of its own, and `newPrefix()`, which hands out a fresh id prefix
 * (`<runId>-t<n>-`): the only ids a test may create or assert on.
 */
export function newRun(): { runId: string; newPrefix: () => string } {
  const runId = `ct${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  let testNo = 0;
  return { runId, newPrefix: () => `${runId}-t${++testNo}-` };
}

/** A suite's store (beforeAll): built by the factory and initialised. */
export async function openStore(makeStore: StoreFactory): Promise<GraphStore> {
  const store = await makeStore();
  await store.init();
  return store;
}

/** A suite's cleanup (afterAll): delete every asset of the run by prefix, then close the store. */
export async function closeStore(store: GraphStore | undefined, runId: string): Promise<void> {
  if (!store) return;
  try {
    await deleteByPrefix(store, `${runId}-`);
  } finally {
    await store.close();
  }
}

/**
 * Builders over a suite's store, given as a getter because the store is only opened in
 * beforeAll: `assets` and `relate` write under a prefix from short specs, `idsWhere` lists.
 */
export function storeBuilders(getStore: () => GraphStore) {
  /** Ids (without the prefix) of the assets matching `filter` within the prefix, sorted by id. */
  async function idsWhere(p: string, filter: Omit<AssetFilter, 'idPrefix'> & { idPrefix?: string } = {}): Promise<string[]> {
    const { assets } = await listAll(getStore(), { idPrefix: p, ...filter });
    return assets.map((a) => a.id.slice(p.length)).sort();
  }

  async function assets(p: string, specs: [string, string, (string | null)?, Record<string, Scalar | Scalar[]>?][]) {
    return (await getStore().upsertAssets(specs.map(([id, kind, name, properties]) => ({ id: p + id, kind, name, properties })))).assets;
  }
  async function relate(p: string, specs: [string, string, string, Record<string, Scalar>?][]) {
    return (await getStore().relate(specs.map(([from, type, to, properties]) => ({ from: p + from, type, to: p + to, properties })))).relationships;
  }

  return { idsWhere, assets, relate };
}

export const relKey = (p: string, r: { from: string; type: string; to: string }) =>
  `${r.from.slice(p.length)}-${r.type}->${r.to.slice(p.length)}`;
export const relKeys = (p: string, rels: RelationshipRecord[] | undefined) => (rels ?? []).map((r) => relKey(p, r)).sort();
export const edgeKeys = (p: string, edges: DependencyEdge[]) =>
  edges.map((e) => `${e.supplier.slice(p.length)}=>${e.consumer.slice(p.length)} (${relKey(p, e.relationship)})`).sort();
