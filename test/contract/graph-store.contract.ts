/**
 * The GraphStore contract: one suite that every adapter must pass (see test/contract/*.test.ts).
 * It covers every method of the port plus the traversals of src/graph/traversal.ts, which are
 * written once over the port and so must behave the same on every store.
 *
 * Isolation: each test works under its own id prefix (`<runId>-t<n>-`) and only ever asserts on
 * assets with that prefix, so the suite can run against a shared database. Everything the run
 * created is deleted (by prefix) before the store is closed.
 *
 * The store must be built with the built-in data-center model (FEEDS, COOLS, HOSTS are FORWARD;
 * DEPENDS_ON, RUNS_ON are REVERSE; CONTAINS, LOCATED_IN, CONNECTS_TO are NONE).
 */
import { DomainError } from '../../src/errors';
import { AUDIT_MAX_IDS, type AuditEntry, type AuditFilter } from '../../src/graph/audit-types';
import type { GraphStore } from '../../src/graph/graph-store';
import { NO_OUTCOME, type RunStatus, type ScenarioKind, type ScenarioRunRecord, type SimulationResultRecord } from '../../src/graph/scenario-types';
import { loadImpactEdges, reachable, shortestPath } from '../../src/graph/traversal';
import type {
  AssetCursor,
  AssetFilter,
  AssetRecord,
  AssetSort,
  DependencyEdge,
  PropertyFilter,
  RejectedReport,
  RelationshipRecord,
  Scalar,
  StateApplied,
  StateWrite,
  StoredRejectedReport,
} from '../../src/graph/types';
import { computeImpact } from '../../src/sim/impact';

/**
 * Builds a store that is not yet initialised; the suite calls `init()` and `close()`. Each call
 * gives another connection to the same data (a second process, for the concurrency tests).
 */
export type StoreFactory = () => Promise<GraphStore>;

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every asset matching `filter`, walking all pages (used for cleanup and for listings). */
async function listAll(store: GraphStore, filter: AssetFilter, sort: AssetSort = { field: 'id', descending: false }, limit = 500) {
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

async function deleteByPrefix(store: GraphStore, idPrefix: string): Promise<void> {
  const { assets } = await listAll(store, { idPrefix });
  if (assets.length > 0) await store.deleteAssets(assets.map((a) => a.id));
}

export function graphStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`GraphStore contract: ${name}`, () => {
    const runId = `ct${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    let store: GraphStore;
    let testNo = 0;
    /** A fresh id prefix: the only ids a test may create or assert on. */
    const newPrefix = () => `${runId}-t${++testNo}-`;

    beforeAll(async () => {
      store = await makeStore();
      await store.init();
    });

    afterAll(async () => {
      if (!store) return;
      try {
        await deleteByPrefix(store, `${runId}-`);
      } finally {
        await store.close();
      }
    });

    /** Ids (without the prefix) of the assets matching `filter` within the prefix, sorted by id. */
    async function idsWhere(p: string, filter: Omit<AssetFilter, 'idPrefix'> & { idPrefix?: string } = {}): Promise<string[]> {
      const { assets } = await listAll(store, { idPrefix: p, ...filter });
      return assets.map((a) => a.id.slice(p.length)).sort();
    }

    const relKey = (p: string, r: { from: string; type: string; to: string }) =>
      `${r.from.slice(p.length)}-${r.type}->${r.to.slice(p.length)}`;
    const relKeys = (p: string, rels: RelationshipRecord[] | undefined) => (rels ?? []).map((r) => relKey(p, r)).sort();
    const edgeKeys = (p: string, edges: DependencyEdge[]) =>
      edges.map((e) => `${e.supplier.slice(p.length)}=>${e.consumer.slice(p.length)} (${relKey(p, e.relationship)})`).sort();

    async function assets(p: string, specs: [string, string, (string | null)?, Record<string, Scalar | Scalar[]>?][]) {
      return store.upsertAssets(specs.map(([id, kind, name, properties]) => ({ id: p + id, kind, name, properties })));
    }
    async function relate(p: string, specs: [string, string, string, Record<string, Scalar>?][]) {
      return store.relate(specs.map(([from, type, to, properties]) => ({ from: p + from, type, to: p + to, properties })));
    }

    describe('init', () => {
      test('is idempotent and keeps existing data', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS', 'A']]);
        await store.init();
        expect((await store.getAssets([p + 'a']))[0]).toMatchObject({ id: p + 'a', name: 'A' });
        expect(typeof store.backend).toBe('string');
      });
    });

    describe('upsertAssets', () => {
      test('creates assets at version 1 with empty state and UTC millisecond timestamps, in input order', async () => {
        const p = newPrefix();
        const out = await store.upsertAssets([
          { id: p + 'b', kind: 'UPS', name: 'UPS B', properties: { ratedKw: 500, vendor: 'Acme', online: true, phases: [1, 2, 3], tags: ['x', 'y'] } },
          { id: p + 'a', kind: 'PDU' },
        ]);
        expect(out.map((a) => a.id)).toEqual([p + 'b', p + 'a']);
        expect(out[0]).toMatchObject({
          kind: 'UPS',
          name: 'UPS B',
          properties: { ratedKw: 500, vendor: 'Acme', online: true, phases: [1, 2, 3], tags: ['x', 'y'] },
          state: {},
          status: null,
          version: 1,
        });
        expect(out[1]).toMatchObject({ kind: 'PDU', name: null, properties: {}, state: {}, version: 1 });
        for (const a of out) {
          expect(a.createdAt).toMatch(ISO_MS);
          expect(a.updatedAt).toMatch(ISO_MS);
          expect(a.updatedAt >= a.createdAt).toBe(true);
        }
        // What upsert returns is what is stored (types survive the round trip: booleans, lists, numbers).
        expect(await store.getAssets([p + 'b', p + 'a'])).toEqual(out);
        // Summaries: id, kind and name only, aligned with the ids asked for.
        const summary = (id: string) => {
          const a = out.find((x) => x.id === id)!;
          return { id, kind: a.kind, name: a.name };
        };
        expect(await store.getAssetSummaries([p + 'b', p + 'missing', p + 'a', p + 'b'])).toEqual([
          summary(p + 'b'),
          null,
          summary(p + 'a'),
          summary(p + 'b'),
        ]);
        expect(await store.getAssetSummaries([])).toEqual([]);
      });

      test('an update merges properties, a null removes a key, and an omitted name is kept', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS', 'Main UPS', { ratedKw: 500, vendor: 'Acme', model: 'X1' }]]);
        const [updated] = await store.upsertAssets([{ id: p + 'a', kind: 'UPS', properties: { ratedKw: 750, vendor: null, serial: 'S-1' } }]);
        expect(updated.name).toBe('Main UPS');
        expect(updated.properties).toEqual({ ratedKw: 750, model: 'X1', serial: 'S-1' });
        expect(updated.version).toBe(2);
        const [read] = await store.getAssets([p + 'a']);
        expect(read).toEqual(updated);
      });

      test('name and kind can be changed, and a null name clears it', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Server', 'web-1']]);
        const [renamed] = await store.upsertAssets([{ id: p + 'a', kind: 'Service', name: 'web' }]);
        expect(renamed).toMatchObject({ kind: 'Service', name: 'web', version: 2 });
        const [cleared] = await store.upsertAssets([{ id: p + 'a', kind: 'Service', name: null }]);
        expect(cleared).toMatchObject({ kind: 'Service', name: null, version: 3 });
        expect((await store.getAssets([p + 'a']))[0]).toMatchObject({ kind: 'Service', name: null, version: 3 });
      });

      test('version and updatedAt move only on a real change; createdAt never moves', async () => {
        const p = newPrefix();
        const [created] = await assets(p, [['a', 'PDU', 'PDU A', { ratedKw: 20, phases: [1, 2, 3], vendor: 'Acme' }]]);
        await sleep(15);
        // Same values (other key order, a null for an absent key, no name given): nothing changes.
        const [same] = await store.upsertAssets([
          { id: p + 'a', kind: 'PDU', properties: { vendor: 'Acme', phases: [1, 2, 3], ratedKw: 20, missing: null } },
        ]);
        expect(same.version).toBe(1);
        expect(same.updatedAt).toBe(created.updatedAt);
        const [again] = await store.upsertAssets([{ id: p + 'a', kind: 'PDU', name: 'PDU A' }]);
        expect(again.version).toBe(1);
        expect((await store.getAssets([p + 'a']))[0]).toEqual(created);

        await sleep(15);
        const [changed] = await store.upsertAssets([{ id: p + 'a', kind: 'PDU', properties: { phases: [1, 2] } }]);
        expect(changed.version).toBe(2);
        expect(changed.updatedAt > created.updatedAt).toBe(true);
        expect(changed.createdAt).toBe(created.createdAt);

        await sleep(15);
        const [removed] = await store.upsertAssets([{ id: p + 'a', kind: 'PDU', properties: { vendor: null } }]);
        expect(removed.version).toBe(3);
        expect(removed.updatedAt > changed.updatedAt).toBe(true);
        expect(removed.properties).toEqual({ ratedKw: 20, phases: [1, 2] });
      });

      test('a number and the same digits as a string are different values', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'PDU', null, { code: 7 }]]);
        const [changed] = await store.upsertAssets([{ id: p + 'a', kind: 'PDU', properties: { code: '7' } }]);
        expect(changed.version).toBe(2);
        expect(changed.properties.code).toBe('7');
      });
    });

    describe('deleteAssets', () => {
      test('removes assets with all their relationships and counts only those that existed', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'PDU'], ['b', 'Rack'], ['c', 'Service']]);
        await relate(p, [['a', 'FEEDS', 'b'], ['c', 'DEPENDS_ON', 'a'], ['b', 'FEEDS', 'c'], ['a', 'CONTAINS', 'a']]);
        expect(await store.deleteAssets([p + 'a', p + 'missing', p + 'a'])).toBe(1);
        expect(await store.getAssets([p + 'a', p + 'b'])).toEqual([null, expect.objectContaining({ id: p + 'b' })]);
        const rels = await store.relationshipsOf([p + 'a', p + 'b', p + 'c'], 'BOTH');
        expect(relKeys(p, rels.get(p + 'a'))).toEqual([]);
        expect(relKeys(p, rels.get(p + 'b'))).toEqual(['b-FEEDS->c']);
        expect(relKeys(p, rels.get(p + 'c'))).toEqual(['b-FEEDS->c']);
        expect(await store.dependencyEdges([p + 'b'], 'UPSTREAM')).toEqual([]);
        expect(await store.deleteAssets([p + 'a'])).toBe(0);
        expect(await store.deleteAssets([])).toBe(0);

        // Re-creating the id starts afresh: version 1, no relationships.
        const [again] = await assets(p, [['a', 'PDU']]);
        expect(again.version).toBe(1);
        expect(relKeys(p, (await store.relationshipsOf([p + 'a'], 'BOTH')).get(p + 'a'))).toEqual([]);
      });
    });

    describe('relate / unrelate', () => {
      test('relate returns the relationships; relating the same key again keeps one edge and replaces its properties', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'PDU'], ['b', 'Rack']]);
        const first = await relate(p, [['a', 'FEEDS', 'b', { redundancyGroup: 'power', minLive: 1, cable: 'C-1' }]]);
        expect(first).toEqual([{ from: p + 'a', to: p + 'b', type: 'FEEDS', properties: { redundancyGroup: 'power', minLive: 1, cable: 'C-1' } }]);
        const second = await relate(p, [['a', 'FEEDS', 'b', { cable: 'C-2' }]]);
        expect(second).toEqual([{ from: p + 'a', to: p + 'b', type: 'FEEDS', properties: { cable: 'C-2' } }]);
        const out = (await store.relationshipsOf([p + 'a'], 'OUT')).get(p + 'a') ?? [];
        expect(out).toEqual([{ from: p + 'a', to: p + 'b', type: 'FEEDS', properties: { cable: 'C-2' } }]);

        const third = await relate(p, [['a', 'FEEDS', 'b']]);
        expect(third[0].properties).toEqual({});
        expect((await store.relationshipsOf([p + 'a'], 'OUT')).get(p + 'a')).toEqual([
          { from: p + 'a', to: p + 'b', type: 'FEEDS', properties: {} },
        ]);
      });

      test('different types, or the other direction, between the same assets are separate relationships', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Chiller'], ['b', 'Rack']]);
        await relate(p, [['a', 'COOLS', 'b'], ['a', 'CONNECTS_TO', 'b'], ['b', 'CONNECTS_TO', 'a']]);
        const rels = await store.relationshipsOf([p + 'a'], 'BOTH');
        expect(relKeys(p, rels.get(p + 'a'))).toEqual(['a-CONNECTS_TO->b', 'a-COOLS->b', 'b-CONNECTS_TO->a']);
      });

      test('a missing endpoint fails the whole batch with NOT_FOUND naming the record, and writes nothing', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'PDU'], ['b', 'Rack'], ['c', 'Rack']]);
        await relate(p, [['a', 'FEEDS', 'b', { cable: 'old' }]]);

        const batch = [
          { from: p + 'a', type: 'FEEDS', to: p + 'b', properties: { cable: 'new' } },
          { from: p + 'a', type: 'FEEDS', to: p + 'c' },
          { from: p + 'b', type: 'CONNECTS_TO', to: p + 'ghost' },
        ];
        const err = await store.relate(batch).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(DomainError);
        expect(err).toMatchObject({ code: 'NOT_FOUND', details: expect.objectContaining({ index: 2 }) });

        const fromMissing = await store
          .relate([{ from: p + 'nobody', type: 'FEEDS', to: p + 'c' }, { from: p + 'a', type: 'FEEDS', to: p + 'c' }])
          .then(() => null, (e: unknown) => e);
        expect(fromMissing).toMatchObject({ code: 'NOT_FOUND', details: expect.objectContaining({ index: 0 }) });

        // Nothing of either batch was written: no new edge, the old edge keeps its properties.
        const rels = await store.relationshipsOf([p + 'a', p + 'b', p + 'c'], 'BOTH');
        expect(rels.get(p + 'a')).toEqual([{ from: p + 'a', to: p + 'b', type: 'FEEDS', properties: { cable: 'old' } }]);
        expect(relKeys(p, rels.get(p + 'c'))).toEqual([]);
        expect(await store.existingIds([p + 'ghost', p + 'nobody'])).toEqual(new Set());
      });

      test('unrelate removes by key and counts only relationships that existed', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'PDU'], ['b', 'Rack']]);
        await relate(p, [['a', 'FEEDS', 'b'], ['a', 'COOLS', 'b']]);
        const removed = await store.unrelate([
          { from: p + 'a', type: 'FEEDS', to: p + 'b' },
          { from: p + 'a', type: 'FEEDS', to: p + 'b' }, // repeated in the batch: still one relationship
          { from: p + 'b', type: 'FEEDS', to: p + 'a' }, // other direction: never existed
          { from: p + 'a', type: 'HOSTS', to: p + 'b' }, // other type: never existed
          { from: p + 'a', type: 'FEEDS', to: p + 'ghost' },
        ]);
        expect(removed).toBe(1);
        expect(relKeys(p, (await store.relationshipsOf([p + 'a'], 'BOTH')).get(p + 'a'))).toEqual(['a-COOLS->b']);
        expect(await store.unrelate([{ from: p + 'a', type: 'FEEDS', to: p + 'b' }])).toBe(0);
        // The assets themselves stay.
        expect(await store.existingIds([p + 'a', p + 'b'])).toEqual(new Set([p + 'a', p + 'b']));
      });
    });

    describe('getAssets / existingIds', () => {
      test('getAssets is aligned with the ids asked for, with null where missing', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS', 'A'], ['b', 'PDU', 'B']]);
        const got = await store.getAssets([p + 'b', p + 'missing', p + 'a', p + 'b']);
        expect(got.map((a) => a?.name ?? null)).toEqual(['B', null, 'A', 'B']);
        expect(got[0]?.id).toBe(p + 'b');
        expect(await store.getAssets([])).toEqual([]);
      });

      test('existingIds returns the subset that exists', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS'], ['b', 'PDU']]);
        expect(await store.existingIds([p + 'a', p + 'x', p + 'b', p + 'a'])).toEqual(new Set([p + 'a', p + 'b']));
        expect(await store.existingIds([])).toEqual(new Set());
      });
    });

    describe('listAssets filters and countAssets', () => {
      let p: string;
      beforeAll(async () => {
        p = newPrefix();
        await assets(p, [
          ['ups-1', 'UPS', 'Main UPS A', { ratedKw: 100, code: 7, enabled: true, vendor: 'acme' }],
          ['ups-2', 'UPS', 'ups b backup', { ratedKw: 150, code: '7', enabled: false, vendor: 'zeta' }],
          ['pdu-1', 'PDU', 'PDU 1', { ratedKw: 50, enabled: 1, vendor: 'beta' }],
          ['pdu-2', 'PDU', null, { vendor: 'Acme' }],
          ['rack_1', 'Rack', 'Rack One', { ratedKw: 100 }],
          ['rackx1', 'Rack', 'rack x', {}],
          ['100%-a', 'Server', 'srv percent', {}],
          ['10x', 'Server', 'srv ten', {}],
        ]);
      });
      const prop = (key: string, op: PropertyFilter['op'], value: PropertyFilter['value']) => ({ properties: [{ key, op, value }] });

      test('idPrefix alone isolates the fixture', async () => {
        expect(await idsWhere(p)).toEqual(['100%-a', '10x', 'pdu-1', 'pdu-2', 'rack_1', 'rackx1', 'ups-1', 'ups-2']);
      });

      test('by ids and kinds', async () => {
        expect(await idsWhere(p, { ids: [p + 'ups-1', p + 'pdu-2', p + 'nope'] })).toEqual(['pdu-2', 'ups-1']);
        expect(await idsWhere(p, { ids: [] })).toEqual([]);
        expect(await idsWhere(p, { kinds: ['UPS', 'Rack'] })).toEqual(['rack_1', 'rackx1', 'ups-1', 'ups-2']);
        expect(await idsWhere(p, { kinds: ['Chiller'] })).toEqual([]);
      });

      test('idPrefix treats % and _ as plain characters', async () => {
        expect(await idsWhere(p, { idPrefix: p + 'rack_' })).toEqual(['rack_1']);
        expect(await idsWhere(p, { idPrefix: p + 'rack' })).toEqual(['rack_1', 'rackx1']);
        expect(await idsWhere(p, { idPrefix: p + '100%' })).toEqual(['100%-a']);
        expect(await idsWhere(p, { idPrefix: p + '10%' })).toEqual([]);
        expect(await idsWhere(p, { idPrefix: p + '1_' })).toEqual([]);
        expect(await idsWhere(p, { idPrefix: p + '10' })).toEqual(['100%-a', '10x']);
      });

      test('nameContains is case-insensitive and never matches a missing name', async () => {
        expect(await idsWhere(p, { nameContains: 'UPS' })).toEqual(['ups-1', 'ups-2']);
        expect(await idsWhere(p, { nameContains: 'rAcK' })).toEqual(['rack_1', 'rackx1']);
        expect(await idsWhere(p, { nameContains: 'pdu' })).toEqual(['pdu-1']);
        expect(await idsWhere(p, { nameContains: 'zzz' })).toEqual([]);
      });

      test('property comparisons on numbers', async () => {
        expect(await idsWhere(p, prop('ratedKw', 'eq', 100))).toEqual(['rack_1', 'ups-1']);
        expect(await idsWhere(p, prop('ratedKw', 'ne', 100))).toEqual(['pdu-1', 'ups-2']);
        expect(await idsWhere(p, prop('ratedKw', 'gt', 100))).toEqual(['ups-2']);
        expect(await idsWhere(p, prop('ratedKw', 'gte', 100))).toEqual(['rack_1', 'ups-1', 'ups-2']);
        expect(await idsWhere(p, prop('ratedKw', 'lt', 100))).toEqual(['pdu-1']);
        expect(await idsWhere(p, prop('ratedKw', 'lte', 100))).toEqual(['pdu-1', 'rack_1', 'ups-1']);
        expect(await idsWhere(p, prop('ratedKw', 'gt', 99.5))).toEqual(['rack_1', 'ups-1', 'ups-2']);
        expect(await idsWhere(p, prop('ratedKw', 'in', [50, 150, 999]))).toEqual(['pdu-1', 'ups-2']);
      });

      test('property comparisons on strings are case-sensitive', async () => {
        expect(await idsWhere(p, prop('vendor', 'eq', 'acme'))).toEqual(['ups-1']);
        expect(await idsWhere(p, prop('vendor', 'ne', 'acme'))).toEqual(['pdu-1', 'pdu-2', 'ups-2']);
        expect(await idsWhere(p, prop('vendor', 'gt', 'b'))).toEqual(['pdu-1', 'ups-2']);
        expect(await idsWhere(p, prop('vendor', 'lte', 'acme'))).toEqual(['pdu-2', 'ups-1']);
        expect(await idsWhere(p, prop('vendor', 'in', ['Acme', 'zeta']))).toEqual(['pdu-2', 'ups-2']);
      });

      test('exists', async () => {
        expect(await idsWhere(p, prop('ratedKw', 'exists', true))).toEqual(['pdu-1', 'rack_1', 'ups-1', 'ups-2']);
        expect(await idsWhere(p, prop('ratedKw', 'exists', false))).toEqual(['100%-a', '10x', 'pdu-2', 'rackx1']);
      });

      test('a number never equals a string, nor compares with one', async () => {
        expect(await idsWhere(p, prop('code', 'eq', 7))).toEqual(['ups-1']);
        expect(await idsWhere(p, prop('code', 'eq', '7'))).toEqual(['ups-2']);
        expect(await idsWhere(p, prop('code', 'in', [7]))).toEqual(['ups-1']);
        expect(await idsWhere(p, prop('code', 'in', ['7']))).toEqual(['ups-2']);
        expect(await idsWhere(p, prop('code', 'gt', 5))).toEqual(['ups-1']);
        expect(await idsWhere(p, prop('code', 'gt', '5'))).toEqual(['ups-2']);
        expect(await idsWhere(p, prop('ratedKw', 'eq', '100'))).toEqual([]);
        // A comparison only ever matches values of the operand's type, `ne` included.
        expect(await idsWhere(p, prop('code', 'ne', 8))).toEqual(['ups-1']);
        expect(await idsWhere(p, prop('code', 'ne', '8'))).toEqual(['ups-2']);
      });

      test('booleans are neither numbers nor strings', async () => {
        expect(await idsWhere(p, prop('enabled', 'eq', true))).toEqual(['ups-1']);
        expect(await idsWhere(p, prop('enabled', 'eq', false))).toEqual(['ups-2']);
        expect(await idsWhere(p, prop('enabled', 'ne', true))).toEqual(['ups-2']);
        expect(await idsWhere(p, prop('enabled', 'eq', 1))).toEqual(['pdu-1']);
        expect(await idsWhere(p, prop('enabled', 'in', [true]))).toEqual(['ups-1']);
        expect(await idsWhere(p, prop('enabled', 'in', [1]))).toEqual(['pdu-1']);
        expect(await idsWhere(p, prop('enabled', 'in', [false, 0]))).toEqual(['ups-2']);
        expect(await idsWhere(p, prop('enabled', 'in', ['true', 'false']))).toEqual([]);
        expect(await idsWhere(p, prop('enabled', 'eq', 'true'))).toEqual([]);
      });

      test('filters combine with AND', async () => {
        expect(
          await idsWhere(p, {
            kinds: ['UPS', 'Rack'],
            nameContains: 'a',
            properties: [
              { key: 'ratedKw', op: 'gte', value: 100 },
              { key: 'vendor', op: 'exists', value: true },
            ],
          }),
        ).toEqual(['ups-1', 'ups-2']);
        expect(await idsWhere(p, { kinds: ['UPS'], properties: [{ key: 'ratedKw', op: 'gt', value: 100 }, { key: 'enabled', op: 'eq', value: true }] })).toEqual([]);
      });

      test('countAssets counts what listAssets lists', async () => {
        const filters: AssetFilter[] = [
          { idPrefix: p },
          { idPrefix: p, kinds: ['PDU', 'UPS'] },
          { idPrefix: p, nameContains: 'SRV' },
          { idPrefix: p, properties: [{ key: 'ratedKw', op: 'gte', value: 100 }] },
          { idPrefix: p, ids: [p + 'ups-1', p + 'x'] },
          { idPrefix: p + 'nothing' },
        ];
        const counts = await Promise.all(filters.map((f) => store.countAssets(f)));
        expect(counts).toEqual([8, 4, 2, 3, 1, 0]);
      });
    });

    describe('listAssets sorting and keyset paging', () => {
      let p: string;
      beforeAll(async () => {
        p = newPrefix();
        // Ties (kind, load 3, flag) and nulls (name, load, flag) on purpose.
        await assets(p, [
          ['a', 'PDU', 'delta', { load: 3, flag: true }],
          ['b', 'UPS', 'alpha', { load: 1, flag: false }],
          ['c', 'Rack', null, { load: 3, flag: true }],
          ['d', 'PDU', 'charlie', {}],
          ['e', 'Server', 'bravo', { load: 2.5 }],
          ['f', 'UPS', null, {}],
          ['g', 'Rack', 'echo', { load: -1 }],
        ]);
      });

      const list = async (sort: AssetSort, limit = 100) => {
        const page = await store.listAssets({ filter: { idPrefix: p }, sort, limit });
        expect(page.hasNextPage).toBe(false);
        return page;
      };
      const ids = (page: { assets: AssetRecord[] }) => page.assets.map((a) => a.id.slice(p.length));

      test('by id and by name, both directions, nulls last', async () => {
        expect(ids(await list({ field: 'id', descending: false }))).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
        expect(ids(await list({ field: 'id', descending: true }))).toEqual(['g', 'f', 'e', 'd', 'c', 'b', 'a']);
        const byName = ids(await list({ field: 'name', descending: false }));
        expect(byName.slice(0, 5)).toEqual(['b', 'e', 'd', 'a', 'g']);
        expect(byName.slice(5).sort()).toEqual(['c', 'f']);
        const byNameDesc = ids(await list({ field: 'name', descending: true }));
        expect(byNameDesc.slice(0, 5)).toEqual(['g', 'a', 'd', 'e', 'b']);
        expect(byNameDesc.slice(5).sort()).toEqual(['c', 'f']);
      });

      test('by kind, both directions', async () => {
        const kinds = async (descending: boolean) => (await list({ field: 'kind', descending })).assets.map((a) => a.kind);
        expect(await kinds(false)).toEqual(['PDU', 'PDU', 'Rack', 'Rack', 'Server', 'UPS', 'UPS']);
        expect(await kinds(true)).toEqual(['UPS', 'UPS', 'Server', 'Rack', 'Rack', 'PDU', 'PDU']);
      });

      test('by a property, both directions, nulls last', async () => {
        const asc = ids(await list({ field: 'property', property: 'load', descending: false }));
        expect(asc.slice(0, 3)).toEqual(['g', 'b', 'e']);
        expect(asc.slice(3, 5).sort()).toEqual(['a', 'c']);
        expect(asc.slice(5).sort()).toEqual(['d', 'f']);
        const desc = ids(await list({ field: 'property', property: 'load', descending: true }));
        expect(desc.slice(0, 2).sort()).toEqual(['a', 'c']);
        expect(desc.slice(2, 5)).toEqual(['e', 'b', 'g']);
        expect(desc.slice(5).sort()).toEqual(['d', 'f']);
        const flags = (await list({ field: 'property', property: 'flag', descending: false })).assets.map((a) => a.properties.flag ?? null);
        expect(flags).toEqual([false, true, true, null, null, null, null]);
      });

      test('by updatedAt, both directions', async () => {
        const q = newPrefix();
        await store.upsertAssets([{ id: q + 'x1', kind: 'PDU' }]);
        await sleep(15);
        await store.upsertAssets([{ id: q + 'x2', kind: 'PDU' }]);
        await sleep(15);
        await store.upsertAssets([{ id: q + 'x3', kind: 'PDU' }]);
        await sleep(15);
        await store.upsertAssets([{ id: q + 'x1', kind: 'PDU', name: 'touched' }]);
        const order = async (descending: boolean) =>
          (await store.listAssets({ filter: { idPrefix: q }, sort: { field: 'updatedAt', descending }, limit: 10 })).assets.map((a) => a.id.slice(q.length));
        expect(await order(false)).toEqual(['x2', 'x3', 'x1']);
        expect(await order(true)).toEqual(['x1', 'x3', 'x2']);
      });

      test('sortValues hold each asset\'s sort key', async () => {
        const byName = await list({ field: 'name', descending: false });
        expect(byName.sortValues).toEqual(byName.assets.map((a) => a.name));
        const byId = await list({ field: 'id', descending: true });
        expect(byId.sortValues).toEqual(byId.assets.map((a) => a.id));
        const byKind = await list({ field: 'kind', descending: false });
        expect(byKind.sortValues).toEqual(byKind.assets.map((a) => a.kind));
        const byUpdated = await list({ field: 'updatedAt', descending: false });
        expect(byUpdated.sortValues).toEqual(byUpdated.assets.map((a) => a.updatedAt));
        // (Booleans are left out: a store may give them as 1 and 0; cursors accept either.)
        const byLoad = await list({ field: 'property', property: 'load', descending: false });
        expect(byLoad.sortValues).toEqual(byLoad.assets.map((a) => a.properties.load ?? null));
      });

      const sorts: AssetSort[] = [
        { field: 'id', descending: false },
        { field: 'id', descending: true },
        { field: 'name', descending: false },
        { field: 'name', descending: true },
        { field: 'kind', descending: false },
        { field: 'kind', descending: true },
        { field: 'updatedAt', descending: false },
        { field: 'updatedAt', descending: true },
        { field: 'property', property: 'load', descending: false },
        { field: 'property', property: 'load', descending: true },
        { field: 'property', property: 'flag', descending: false },
        { field: 'property', property: 'flag', descending: true },
        { field: 'property', property: 'absent', descending: false },
      ];
      test.each(sorts.map((s) => [`${s.field}${s.property ? `.${s.property}` : ''} ${s.descending ? 'desc' : 'asc'}`, s] as const))(
        'keyset paging by %s walks every asset once, in order, whatever the page size',
        async (_label, sort) => {
          const whole = await list(sort);
          expect(whole.assets).toHaveLength(7);
          // The same query twice gives the same order (ties are broken deterministically).
          expect(ids(await list(sort))).toEqual(ids(whole));
          for (const limit of [1, 2, 3, 6, 7]) {
            const walk = await listAll(store, { idPrefix: p }, sort, limit);
            expect(walk.assets.map((a) => a.id.slice(p.length))).toEqual(ids(whole));
            expect(walk.sortValues).toEqual(whole.sortValues);
            // Every page but the last says there is more; the last says there is not.
            expect(walk.pages.map((pg) => pg.hasNextPage)).toEqual(walk.pages.map((_, i) => i < walk.pages.length - 1));
            expect(walk.pages.every((pg, i) => pg.size === (i < walk.pages.length - 1 ? limit : 7 - limit * (walk.pages.length - 1)))).toBe(true);
          }
        },
      );

      test('hasNextPage is false when the page ends exactly at the last asset', async () => {
        const page = await store.listAssets({ filter: { idPrefix: p }, sort: { field: 'id', descending: false }, limit: 7 });
        expect(page.assets).toHaveLength(7);
        expect(page.hasNextPage).toBe(false);
        const short = await store.listAssets({ filter: { idPrefix: p }, sort: { field: 'id', descending: false }, limit: 6 });
        expect(short.hasNextPage).toBe(true);
        const afterLast = await store.listAssets({
          filter: { idPrefix: p },
          sort: { field: 'id', descending: false },
          after: { value: p + 'g', id: p + 'g' },
          limit: 5,
        });
        expect(afterLast).toEqual({ assets: [], sortValues: [], hasNextPage: false });
      });
    });

    describe('relationshipsOf', () => {
      let p: string;
      beforeAll(async () => {
        p = newPrefix();
        await assets(p, [['a', 'PDU'], ['b', 'Rack'], ['c', 'Service']]);
        await relate(p, [
          ['a', 'FEEDS', 'b', { cable: 'C-7', redundancyGroup: 'power' }],
          ['a', 'CONTAINS', 'c'],
          ['c', 'DEPENDS_ON', 'a'],
          ['a', 'CONNECTS_TO', 'a'],
          ['b', 'FEEDS', 'c'],
        ]);
      });

      test('OUT, IN and BOTH; a self-loop appears once', async () => {
        const out = await store.relationshipsOf([p + 'a'], 'OUT');
        expect(relKeys(p, out.get(p + 'a'))).toEqual(['a-CONNECTS_TO->a', 'a-CONTAINS->c', 'a-FEEDS->b']);
        const inn = await store.relationshipsOf([p + 'a'], 'IN');
        expect(relKeys(p, inn.get(p + 'a'))).toEqual(['a-CONNECTS_TO->a', 'c-DEPENDS_ON->a']);
        const both = await store.relationshipsOf([p + 'a'], 'BOTH');
        expect(relKeys(p, both.get(p + 'a'))).toEqual(['a-CONNECTS_TO->a', 'a-CONTAINS->c', 'a-FEEDS->b', 'c-DEPENDS_ON->a']);
      });

      test('a relationship between two of the given assets is in both lists; properties come along', async () => {
        const both = await store.relationshipsOf([p + 'a', p + 'b', p + 'missing'], 'BOTH');
        expect(relKeys(p, both.get(p + 'a'))).toEqual(['a-CONNECTS_TO->a', 'a-CONTAINS->c', 'a-FEEDS->b', 'c-DEPENDS_ON->a']);
        expect(relKeys(p, both.get(p + 'b'))).toEqual(['a-FEEDS->b', 'b-FEEDS->c']);
        expect(both.get(p + 'missing') ?? []).toEqual([]);
        expect(both.get(p + 'b')!.find((r) => r.type === 'FEEDS' && r.from === p + 'a')).toEqual({
          from: p + 'a',
          to: p + 'b',
          type: 'FEEDS',
          properties: { cable: 'C-7', redundancyGroup: 'power' },
        });
      });

      test('types restrict the relationship types', async () => {
        const both = await store.relationshipsOf([p + 'a', p + 'c'], 'BOTH', ['FEEDS', 'DEPENDS_ON']);
        expect(relKeys(p, both.get(p + 'a'))).toEqual(['a-FEEDS->b', 'c-DEPENDS_ON->a']);
        expect(relKeys(p, both.get(p + 'c'))).toEqual(['b-FEEDS->c', 'c-DEPENDS_ON->a']);
        const out = await store.relationshipsOf([p + 'a'], 'OUT', ['CONTAINS']);
        expect(relKeys(p, out.get(p + 'a'))).toEqual(['a-CONTAINS->c']);
        const none = await store.relationshipsOf([p + 'a'], 'IN', ['HOSTS']);
        expect(relKeys(p, none.get(p + 'a'))).toEqual([]);
      });
    });

    describe('dependencyEdges', () => {
      let p: string;
      beforeAll(async () => {
        p = newPrefix();
        // feed -FEEDS-> pdu; svc -RUNS_ON-> pdu; app -DEPENDS_ON-> feed; room -CONTAINS-> pdu; chiller -COOLS-> pdu
        await assets(p, [['feed', 'UtilityFeed'], ['pdu', 'PDU'], ['svc', 'Service'], ['app', 'Service'], ['room', 'Room'], ['chiller', 'Chiller']]);
        await relate(p, [
          ['feed', 'FEEDS', 'pdu', { redundancyGroup: 'power' }],
          ['svc', 'RUNS_ON', 'pdu'],
          ['app', 'DEPENDS_ON', 'feed'],
          ['room', 'CONTAINS', 'pdu'],
          ['chiller', 'COOLS', 'pdu'],
        ]);
      });

      test('UPSTREAM gives suppliers through FORWARD targets and REVERSE sources; NONE types never count', async () => {
        const edges = await store.dependencyEdges([p + 'pdu'], 'UPSTREAM');
        expect(edgeKeys(p, edges)).toEqual(['chiller=>pdu (chiller-COOLS->pdu)', 'feed=>pdu (feed-FEEDS->pdu)']);
        const feedEdge = edges.find((e) => e.supplier === p + 'feed')!;
        expect(feedEdge).toEqual({
          supplier: p + 'feed',
          consumer: p + 'pdu',
          relationship: { from: p + 'feed', to: p + 'pdu', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
        });
        expect(edgeKeys(p, await store.dependencyEdges([p + 'svc', p + 'app'], 'UPSTREAM'))).toEqual([
          'feed=>app (app-DEPENDS_ON->feed)',
          'pdu=>svc (svc-RUNS_ON->pdu)',
        ]);
        expect(await store.dependencyEdges([p + 'room', p + 'feed'], 'UPSTREAM')).toEqual([]);
      });

      test('DOWNSTREAM gives consumers through FORWARD sources and REVERSE targets', async () => {
        expect(edgeKeys(p, await store.dependencyEdges([p + 'pdu'], 'DOWNSTREAM'))).toEqual(['pdu=>svc (svc-RUNS_ON->pdu)']);
        expect(edgeKeys(p, await store.dependencyEdges([p + 'feed'], 'DOWNSTREAM'))).toEqual([
          'feed=>app (app-DEPENDS_ON->feed)',
          'feed=>pdu (feed-FEEDS->pdu)',
        ]);
        const revEdge = (await store.dependencyEdges([p + 'feed'], 'DOWNSTREAM')).find((e) => e.consumer === p + 'app')!;
        expect(revEdge.relationship).toEqual({ from: p + 'app', to: p + 'feed', type: 'DEPENDS_ON', properties: {} });
        expect(await store.dependencyEdges([p + 'room', p + 'svc'], 'DOWNSTREAM')).toEqual([]);
      });

      test('types narrow the edges; NONE types named explicitly still never count', async () => {
        expect(edgeKeys(p, await store.dependencyEdges([p + 'feed'], 'DOWNSTREAM', ['FEEDS']))).toEqual(['feed=>pdu (feed-FEEDS->pdu)']);
        expect(edgeKeys(p, await store.dependencyEdges([p + 'pdu'], 'UPSTREAM', ['COOLS', 'RUNS_ON']))).toEqual(['chiller=>pdu (chiller-COOLS->pdu)']);
        expect(await store.dependencyEdges([p + 'pdu', p + 'room'], 'UPSTREAM', ['CONTAINS'])).toEqual([]);
        expect(await store.dependencyEdges([p + 'room'], 'DOWNSTREAM', ['CONTAINS'])).toEqual([]);
        expect(await store.dependencyEdges([p + 'pdu'], 'UPSTREAM', [])).toEqual([]);
      });

      test('dependencyNeighbours gives the same hops as [given, other] id pairs', async () => {
        const pairs = async (ids: string[], side: 'UPSTREAM' | 'DOWNSTREAM', types?: string[]) =>
          (await store.dependencyNeighbours(ids.map((id) => p + id), side, types)).map(([near, far]) => `${near.slice(p.length)}>${far.slice(p.length)}`).sort();
        expect(await pairs(['pdu'], 'UPSTREAM')).toEqual(['pdu>chiller', 'pdu>feed']);
        expect(await pairs(['svc', 'app'], 'UPSTREAM')).toEqual(['app>feed', 'svc>pdu']);
        expect(await pairs(['feed', 'pdu'], 'DOWNSTREAM')).toEqual(['feed>app', 'feed>pdu', 'pdu>svc']);
        expect(await pairs(['feed'], 'DOWNSTREAM', ['FEEDS'])).toEqual(['feed>pdu']);
        expect(await pairs(['room'], 'DOWNSTREAM', ['CONTAINS'])).toEqual([]);
        expect(await pairs([], 'UPSTREAM')).toEqual([]);
      });
    });

    describe('traversal: reachable (dependencies / dependents)', () => {
      let p: string;
      beforeAll(async () => {
        p = newPrefix();
        // u -FEEDS-> ups -FEEDS-> pdu -FEEDS-> rack ; srv -DEPENDS_ON-> rack ; app -RUNS_ON-> srv
        // u -FEEDS-> pdu2 -FEEDS-> rack (a second, shorter chain to rack) ; room -CONTAINS-> rack
        await assets(p, [
          ['u', 'UtilityFeed'], ['ups', 'UPS'], ['pdu', 'PDU'], ['pdu2', 'PDU'], ['rack', 'Rack'],
          ['srv', 'Server'], ['app', 'Service'], ['room', 'Room'],
        ]);
        await relate(p, [
          ['u', 'FEEDS', 'ups'], ['ups', 'FEEDS', 'pdu'], ['pdu', 'FEEDS', 'rack'], ['srv', 'DEPENDS_ON', 'rack'],
          ['app', 'RUNS_ON', 'srv'], ['u', 'FEEDS', 'pdu2'], ['pdu2', 'FEEDS', 'rack'], ['room', 'CONTAINS', 'rack'],
        ]);
      });
      const hops = (list: { id: string; depth: number; path: string[] }[] | undefined) =>
        (list ?? []).map((h) => `${h.id.slice(p.length)}@${h.depth}:${h.path.map((x) => x.slice(p.length)).join('>')}`);

      test('downstream from a feed: every consumer with its hop distance and a shortest path, nearest first', async () => {
        const result = await reachable(store, [p + 'u'], 'DOWNSTREAM', { maxDepth: 10 });
        expect(hops(result.get(p + 'u'))).toEqual([
          'pdu2@1:u>pdu2',
          'ups@1:u>ups',
          'pdu@2:u>ups>pdu',
          'rack@2:u>pdu2>rack',
          'srv@3:u>pdu2>rack>srv',
          'app@4:u>pdu2>rack>srv>app',
        ]);
      });

      test('upstream from a service follows REVERSE and FORWARD edges to every supplier', async () => {
        const result = await reachable(store, [p + 'app'], 'UPSTREAM', { maxDepth: 10 });
        expect(hops(result.get(p + 'app'))).toEqual([
          'srv@1:app>srv',
          'rack@2:app>srv>rack',
          'pdu@3:app>srv>rack>pdu',
          'pdu2@3:app>srv>rack>pdu2',
          'u@4:app>srv>rack>pdu2>u',
          'ups@4:app>srv>rack>pdu>ups',
        ]);
      });

      test('maxDepth bounds the walk', async () => {
        const result = await reachable(store, [p + 'u'], 'DOWNSTREAM', { maxDepth: 2 });
        expect(hops(result.get(p + 'u'))).toEqual(['pdu2@1:u>pdu2', 'ups@1:u>ups', 'pdu@2:u>ups>pdu', 'rack@2:u>pdu2>rack']);
        expect(hops((await reachable(store, [p + 'u'], 'DOWNSTREAM', { maxDepth: 0 })).get(p + 'u'))).toEqual([]);
      });

      test('types restrict the relationship types followed', async () => {
        const feedsOnly = await reachable(store, [p + 'app'], 'UPSTREAM', { maxDepth: 10, types: ['FEEDS'] });
        expect(hops(feedsOnly.get(p + 'app'))).toEqual([]);
        const down = await reachable(store, [p + 'rack'], 'DOWNSTREAM', { maxDepth: 10, types: ['DEPENDS_ON'] });
        expect(hops(down.get(p + 'rack'))).toEqual(['srv@1:rack>srv']);
        const structural = await reachable(store, [p + 'room'], 'DOWNSTREAM', { maxDepth: 10, types: ['CONTAINS'] });
        expect(hops(structural.get(p + 'room'))).toEqual([]);
      });

      test('a batch of starts gives each its own list, the same as asked one by one', async () => {
        const batch = await reachable(store, [p + 'pdu', p + 'srv', p + 'room'], 'DOWNSTREAM', { maxDepth: 10 });
        expect([...batch.keys()]).toEqual([p + 'pdu', p + 'srv', p + 'room']);
        expect(hops(batch.get(p + 'pdu'))).toEqual(['rack@1:pdu>rack', 'srv@2:pdu>rack>srv', 'app@3:pdu>rack>srv>app']);
        expect(hops(batch.get(p + 'srv'))).toEqual(['app@1:srv>app']);
        expect(hops(batch.get(p + 'room'))).toEqual([]);
        for (const start of ['pdu', 'srv']) {
          const alone = await reachable(store, [p + start], 'DOWNSTREAM', { maxDepth: 10 });
          expect(alone.get(p + start)).toEqual(batch.get(p + start));
        }
      });

      test('cycles never loop and the start is never in its own list', async () => {
        const q = newPrefix();
        await store.upsertAssets(['a', 'b', 'c'].map((id) => ({ id: q + id, kind: 'PDU' })));
        await store.relate([
          { from: q + 'a', type: 'FEEDS', to: q + 'b' },
          { from: q + 'b', type: 'FEEDS', to: q + 'c' },
          { from: q + 'c', type: 'FEEDS', to: q + 'a' },
          { from: q + 'b', type: 'FEEDS', to: q + 'b' },
        ]);
        const down = await reachable(store, [q + 'a'], 'DOWNSTREAM', { maxDepth: 50 });
        expect((down.get(q + 'a') ?? []).map((h) => [h.id.slice(q.length), h.depth])).toEqual([['b', 1], ['c', 2]]);
        const up = await reachable(store, [q + 'a'], 'UPSTREAM', { maxDepth: 50 });
        expect((up.get(q + 'a') ?? []).map((h) => [h.id.slice(q.length), h.depth])).toEqual([['c', 1], ['b', 2]]);
      });
    });

    describe('traversal: shortestPath', () => {
      let p: string;
      beforeAll(async () => {
        p = newPrefix();
        // a -FEEDS-> b <-RUNS_ON- c ; a -FEEDS-> x -FEEDS-> y -FEEDS-> c ; site -CONTAINS-> a ; lone
        await assets(p, [['a', 'PDU'], ['b', 'Server'], ['c', 'Service'], ['x', 'PDU'], ['y', 'PDU'], ['site', 'Site'], ['lone', 'Sensor']]);
        await relate(p, [
          ['a', 'FEEDS', 'b'], ['c', 'RUNS_ON', 'b'], ['a', 'FEEDS', 'x'], ['x', 'FEEDS', 'y'], ['y', 'FEEDS', 'c'], ['site', 'CONTAINS', 'a'],
        ]);
      });
      const path = async (from: string, to: string, maxDepth = 10, types?: string[]) => {
        const found = await shortestPath(store, p + from, p + to, { maxDepth, types });
        return found && found.map((id) => id.slice(p.length));
      };

      test('follows relationships in either direction and picks the shortest chain', async () => {
        expect(await path('a', 'c')).toEqual(['a', 'b', 'c']);
        expect(await path('c', 'a')).toEqual(['c', 'b', 'a']);
        expect(await path('site', 'c')).toEqual(['site', 'a', 'b', 'c']);
      });

      test('types restrict the chain', async () => {
        expect(await path('a', 'c', 10, ['FEEDS'])).toEqual(['a', 'x', 'y', 'c']);
        expect(await path('site', 'c', 10, ['FEEDS', 'RUNS_ON'])).toBeNull();
        expect(await path('site', 'a', 10, ['CONTAINS'])).toEqual(['site', 'a']);
      });

      test('maxDepth bounds the length; null when there is no chain', async () => {
        expect(await path('a', 'c', 1)).toBeNull();
        expect(await path('a', 'c', 2)).toEqual(['a', 'b', 'c']);
        expect(await path('a', 'c', 2, ['FEEDS'])).toBeNull();
        expect(await path('a', 'c', 3, ['FEEDS'])).toEqual(['a', 'x', 'y', 'c']);
        expect(await path('a', 'lone')).toBeNull();
        expect(await path('a', 'ghost')).toBeNull();
      });

      test('from an asset to itself is that asset alone', async () => {
        expect(await path('a', 'a')).toEqual(['a']);
      });
    });

    describe('impact end to end (loadImpactEdges + computeImpact)', () => {
      let p: string;
      beforeAll(async () => {
        p = newPrefix();
        // fa -FEEDS-> pdua ; fb -FEEDS-> pdub
        // pdua, pdub -FEEDS-> r1 (redundancyGroup power, minLive 1) ; pdua -FEEDS-> r2 (single)
        // svc2 -RUNS_ON-> r2 ; svc1 -RUNS_ON-> r1 ; room -CONTAINS-> r1, r2 (structural)
        await assets(p, [
          ['fa', 'UtilityFeed'], ['fb', 'UtilityFeed'], ['pdua', 'PDU'], ['pdub', 'PDU'], ['r1', 'Rack'], ['r2', 'Rack'],
          ['svc1', 'Service'], ['svc2', 'Service'], ['room', 'Room'],
        ]);
        await relate(p, [
          ['fa', 'FEEDS', 'pdua'], ['fb', 'FEEDS', 'pdub'],
          ['pdua', 'FEEDS', 'r1', { redundancyGroup: 'power', minLive: 1 }],
          ['pdub', 'FEEDS', 'r1', { redundancyGroup: 'power', minLive: 1 }],
          ['pdua', 'FEEDS', 'r2'],
          ['svc1', 'RUNS_ON', 'r1'], ['svc2', 'RUNS_ON', 'r2'],
          ['room', 'CONTAINS', 'r1'], ['room', 'CONTAINS', 'r2'],
        ]);
      });
      const impact = async (failed: string[], maxDepth = 10) => {
        const edges = await loadImpactEdges(store, failed.map((id) => p + id), { maxDepth });
        const result = computeImpact(edges, failed.map((id) => p + id));
        const show = (e: { id: string; depth: number; cause: string }) => `${e.id.slice(p.length)}@${e.depth}<-${e.cause.slice(p.length)}`;
        return { failed: result.failed.map((id) => id.slice(p.length)), down: result.down.map(show), atRisk: result.atRisk.map(show) };
      };

      test('one feed lost: its chain goes DOWN, the redundantly fed rack is AT_RISK', async () => {
        expect(await impact(['fa'])).toEqual({
          failed: ['fa'],
          down: ['pdua@1<-fa', 'r2@2<-fa', 'svc2@3<-fa'],
          atRisk: ['r1@2<-fa'],
        });
      });

      test('both feeds lost: everything downstream is DOWN', async () => {
        expect(await impact(['fa', 'fb'])).toEqual({
          failed: ['fa', 'fb'],
          down: ['pdua@1<-fa', 'pdub@1<-fb', 'r1@2<-fa', 'r2@2<-fa', 'svc1@3<-fa', 'svc2@3<-fa'],
          atRisk: [],
        });
      });

      test('maxDepth bounds the cascade', async () => {
        expect(await impact(['fa'], 1)).toEqual({ failed: ['fa'], down: ['pdua@1<-fa'], atRisk: [] });
      });

      test('an asset nothing depends on impacts nothing', async () => {
        expect(await impact(['svc1'])).toEqual({ failed: ['svc1'], down: [], atRisk: [] });
        expect(await impact(['room'])).toEqual({ failed: ['room'], down: [], atRisk: [] });
      });
    });

    describe('live state', () => {
      const RETAIN = { eventRetentionMs: 60 * 60_000 };
      /** Observation time `s` seconds into a fixed day (ISO-8601, UTC, milliseconds). */
      const at = (s: number) => new Date(Date.UTC(2024, 0, 1) + s * 1000).toISOString();
      const report = (assetId: string, s: number, values: Record<string, Scalar>, eventId?: string): StateWrite =>
        eventId === undefined ? { assetId, observedAt: at(s), values } : { assetId, observedAt: at(s), values, eventId };
      const outcomes = (applied: StateApplied[]) => applied.map((a) => a.outcome);
      const one = async (p: string, id: string) => (await store.getAssets([p + id]))[0]!;

      test('an accepted report moves state, stateObservedAt, status, version and updatedAt, and is what getAssets reads', async () => {
        const p = newPrefix();
        const [created] = await assets(p, [['a', 'UPS', 'UPS A', { ratedKw: 500 }]]);
        expect(created).toMatchObject({ state: {}, stateObservedAt: {}, status: null, version: 1 });
        expect(await store.applyState([], RETAIN)).toEqual([]);
        await sleep(15);
        const [applied] = await store.applyState([report(p + 'a', 10, { loadKw: 212.5, status: 'ONLINE', onBattery: false, phase: 'L1' }, p + 'e1')], RETAIN);
        expect(applied.outcome).toBe('ACCEPTED');
        expect(applied.changed).toEqual({ loadKw: 212.5, status: 'ONLINE', onBattery: false, phase: 'L1' });
        expect(applied.asset).toMatchObject({
          id: p + 'a',
          kind: 'UPS',
          name: 'UPS A',
          properties: { ratedKw: 500 },
          state: { loadKw: 212.5, status: 'ONLINE', onBattery: false, phase: 'L1' },
          stateObservedAt: { loadKw: at(10), status: at(10), onBattery: at(10), phase: at(10) },
          status: 'ONLINE',
          version: 2,
          createdAt: created.createdAt,
        });
        expect(applied.asset!.updatedAt).toMatch(ISO_MS);
        expect(applied.asset!.updatedAt > created.updatedAt).toBe(true);
        expect(await one(p, 'a')).toEqual(applied.asset);
        // status is a real field: filters see it.
        expect(await idsWhere(p, { statuses: ['ONLINE'] })).toEqual(['a']);
        expect(await idsWhere(p, { statuses: ['OFFLINE'] })).toEqual([]);
      });

      test('per metric, last writer wins by observedAt: late reports move only the metrics they are newest for', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'PDU'], ['b', 'PDU']]);
        const script = (id: string) => [
          report(p + id, 20, { temp: 25, load: 5 }),
          report(p + id, 10, { temp: 10, fan: 3 }), // late: temp is older than stored, fan is new
          report(p + id, 15, { temp: 15, load: 1 }), // late for both
          report(p + id, 25, { load: 9, fan: 1 }),
          report(p + id, 12, { fan: 2 }), // late
        ];
        const expected = {
          outcomes: ['ACCEPTED', 'ACCEPTED', 'STALE', 'ACCEPTED', 'STALE'],
          changed: [{ temp: 25, load: 5 }, { fan: 3 }, undefined, { load: 9, fan: 1 }, undefined],
          state: { temp: 25, load: 9, fan: 1 },
          stateObservedAt: { temp: at(20), load: at(25), fan: at(25) },
        };

        // One report per batch on `a`...
        const separate: StateApplied[] = [];
        for (const r of script('a')) separate.push(...(await store.applyState([r], RETAIN)));
        // ...and the same reports as one batch on `b`, applied in order: the same result.
        const batched = await store.applyState(script('b'), RETAIN);
        for (const [id, results] of [['a', separate], ['b', batched]] as const) {
          expect(outcomes(results)).toEqual(expected.outcomes);
          expect(results.map((r) => (r.outcome === 'ACCEPTED' ? r.changed : undefined))).toEqual(expected.changed);
          const stored = await one(p, id);
          expect(stored).toMatchObject({ state: expected.state, stateObservedAt: expected.stateObservedAt, version: 4 });
          // Each accepted report gave the asset its own version, in order.
          expect(results.filter((r) => r.outcome === 'ACCEPTED').map((r) => r.asset!.version)).toEqual([2, 3, 4]);
          expect(results[1].asset!.state).toEqual({ temp: 25, load: 5, fan: 3 });
          expect(results[3].asset).toEqual(stored);
        }
      });

      test('a report no newer than the stored observation is STALE and changes nothing (equal observedAt included)', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'CRAH']]);
        await store.applyState([report(p + 'a', 10, { temp: 1, humidity: 40 })], RETAIN);
        const before = await one(p, 'a');
        await sleep(15);
        const results = await store.applyState([
          report(p + 'a', 10, { temp: 2 }), // same instant, other value
          report(p + 'a', 10, { temp: 2, humidity: 41 }),
          report(p + 'a', 9, { temp: 3 }),
          report(p + 'a', 10, { temp: 1 }), // the same report again, without an eventId
        ], RETAIN);
        expect(outcomes(results)).toEqual(['STALE', 'STALE', 'STALE', 'STALE']);
        expect(results.every((r) => r.changed === undefined || Object.keys(r.changed).length === 0)).toBe(true);
        expect(await one(p, 'a')).toEqual(before);
        // A report with no values moves nothing either.
        expect(outcomes(await store.applyState([report(p + 'a', 99, {})], RETAIN))).toEqual(['STALE']);
        expect(await one(p, 'a')).toEqual(before);
      });

      test('a repeated eventId is DUPLICATE, across batches and within one batch, even when it is newer', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Sensor'], ['b', 'Sensor']]);
        expect(outcomes(await store.applyState([report(p + 'a', 1, { x: 1 }, p + 'e1')], RETAIN))).toEqual(['ACCEPTED']);
        const again = await store.applyState([report(p + 'a', 2, { x: 2 }, p + 'e1')], RETAIN);
        expect(outcomes(again)).toEqual(['DUPLICATE']);
        expect(again[0].changed).toBeUndefined();
        expect(await one(p, 'a')).toMatchObject({ state: { x: 1 }, version: 2 });

        const batch = await store.applyState([
          report(p + 'a', 3, { x: 3 }, p + 'e2'),
          report(p + 'a', 4, { x: 4 }, p + 'e2'),
          report(p + 'b', 5, { x: 5 }, p + 'e2'), // same eventId on another asset: still a duplicate
          report(p + 'b', 6, { x: 6 }, p + 'e3'),
        ], RETAIN);
        expect(outcomes(batch)).toEqual(['ACCEPTED', 'DUPLICATE', 'DUPLICATE', 'ACCEPTED']);
        expect(await one(p, 'a')).toMatchObject({ state: { x: 3 }, version: 3 });
        expect(await one(p, 'b')).toMatchObject({ state: { x: 6 }, version: 2 });

        // A STALE report's eventId was received too: sending it again is a duplicate.
        const stale = await store.applyState([report(p + 'a', 1, { x: 0 }, p + 'e4'), report(p + 'a', 9, { x: 9 }, p + 'e4')], RETAIN);
        expect(outcomes(stale)).toEqual(['STALE', 'DUPLICATE']);
        // Different eventIds for the same observation: each is judged on its time.
        expect(outcomes(await store.applyState([report(p + 'a', 9, { x: 9 }, p + 'e5'), report(p + 'a', 9, { x: 9 }, p + 'e6')], RETAIN))).toEqual([
          'ACCEPTED',
          'STALE',
        ]);
        expect(await one(p, 'a')).toMatchObject({ state: { x: 9 }, version: 4 });
      });

      test('an unknown asset is REJECTED, is not created, and does not consume its eventId; the rest of the batch applies', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Rack']]);
        const results = await store.applyState([
          report(p + 'ghost', 1, { x: 1 }, p + 'e1'),
          report(p + 'a', 1, { x: 1 }, p + 'e2'),
          report(p + 'ghost', 2, { x: 2 }, p + 'e3'),
          report(p + 'a', 2, { x: 2 }, p + 'e3'), // the eventId of a rejected report earlier in the batch
        ], RETAIN);
        expect(outcomes(results)).toEqual(['REJECTED', 'ACCEPTED', 'REJECTED', 'ACCEPTED']);
        expect(results[0].reason).toMatch(/unknown asset/i);
        expect(results[0].reason).toContain(p + 'ghost');
        expect(results[0].asset).toBeUndefined();
        expect(await store.existingIds([p + 'ghost'])).toEqual(new Set());
        expect(await store.getAssets([p + 'ghost'])).toEqual([null]);

        // The rejected report's eventId, sent again for an existing asset, is accepted.
        expect(outcomes(await store.applyState([report(p + 'a', 3, { x: 3 }, p + 'e1')], RETAIN))).toEqual(['ACCEPTED']);
        expect(await one(p, 'a')).toMatchObject({ state: { x: 3 }, version: 4 });
      });

      test('eventIds are remembered for the retention window only', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Sensor']]);
        expect(outcomes(await store.applyState([report(p + 'a', 1, { x: 1 }, p + 'e1')], RETAIN))).toEqual(['ACCEPTED']);
        await sleep(30);
        // Still within an hour: a duplicate.
        expect(outcomes(await store.applyState([report(p + 'a', 2, { x: 2 }, p + 'e1')], RETAIN))).toEqual(['DUPLICATE']);
        // With a retention of 5 ms the event seen 30 ms ago is forgotten: judged afresh, and remembered again.
        expect(outcomes(await store.applyState([report(p + 'a', 3, { x: 3 }, p + 'e1')], { eventRetentionMs: 5 }))).toEqual(['ACCEPTED']);
        expect(outcomes(await store.applyState([report(p + 'a', 4, { x: 4 }, p + 'e1')], RETAIN))).toEqual(['DUPLICATE']);
        expect(await one(p, 'a')).toMatchObject({ state: { x: 3 }, version: 3 });
        // However short the retention, a repeat within one batch is a duplicate.
        const batch = await store.applyState([report(p + 'a', 5, { x: 5 }, p + 'e2'), report(p + 'a', 6, { x: 6 }, p + 'e2')], { eventRetentionMs: 1 });
        expect(outcomes(batch)).toEqual(['ACCEPTED', 'DUPLICATE']);
      });

      test('status follows the newest status metric; upserts keep state, stateObservedAt and status', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Chiller', 'CH-1', { capacityKw: 300 }]]);
        await store.applyState([report(p + 'a', 10, { status: 'DEGRADED', supplyTemp: 7.5 })], RETAIN);
        expect(await one(p, 'a')).toMatchObject({ status: 'DEGRADED', version: 2 });
        // An older status never replaces a newer one; a report without status keeps it.
        expect(outcomes(await store.applyState([report(p + 'a', 5, { status: 'FAILED' })], RETAIN))).toEqual(['STALE']);
        expect(outcomes(await store.applyState([report(p + 'a', 11, { supplyTemp: 8 })], RETAIN))).toEqual(['ACCEPTED']);
        const withState = await one(p, 'a');
        expect(withState).toMatchObject({
          status: 'DEGRADED',
          state: { status: 'DEGRADED', supplyTemp: 8 },
          stateObservedAt: { status: at(10), supplyTemp: at(11) },
          version: 3,
        });

        // An upsert that changes nothing leaves everything as it was.
        const [same] = await store.upsertAssets([{ id: p + 'a', kind: 'Chiller', properties: { capacityKw: 300 } }]);
        expect(same).toEqual(withState);
        // A real change moves the version and keeps the live state.
        const [changed] = await store.upsertAssets([{ id: p + 'a', kind: 'Chiller', name: 'Chiller 1', properties: { capacityKw: 350 } }]);
        expect(changed).toMatchObject({
          name: 'Chiller 1',
          properties: { capacityKw: 350 },
          state: withState.state,
          stateObservedAt: withState.stateObservedAt,
          status: 'DEGRADED',
          version: 4,
        });
        expect(await one(p, 'a')).toEqual(changed);
        expect(await idsWhere(p, { statuses: ['DEGRADED'] })).toEqual(['a']);

        // And state keeps working on top of it.
        const [online] = await store.applyState([report(p + 'a', 12, { status: 'ONLINE' })], RETAIN);
        expect(online.asset).toMatchObject({ status: 'ONLINE', version: 5, properties: { capacityKw: 350 }, state: { status: 'ONLINE', supplyTemp: 8 } });
        expect(await idsWhere(p, { statuses: ['DEGRADED'] })).toEqual([]);
        expect(await idsWhere(p, { statuses: ['ONLINE'] })).toEqual(['a']);
      });

      test('concurrent batches: the newest observation wins for every metric and each accepted report counts once', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Server'], ['b', 'Server']]);
        const N = 24;
        const reportFor = (id: string, i: number) =>
          report(p + id, i + 1, { seq: i, ...(i % 2 === 0 ? { even: i } : {}), ...(i % 3 === 0 ? { third: `v${i}` } : {}) }, `${p}${id}-c${i}`);
        // Out of time order (7 is coprime with N), both assets interleaved, one property upsert in the middle.
        const order = Array.from({ length: N }, (_, k) => (k * 7) % N);
        const calls: Promise<StateApplied[] | AssetRecord[]>[] = [];
        order.forEach((i, k) => {
          calls.push(store.applyState([reportFor('a', i)], RETAIN), store.applyState([reportFor('b', N - 1 - i)], RETAIN));
          if (k === N / 2) calls.push(store.upsertAssets([{ id: p + 'a', kind: 'Server', properties: { rackUnit: 12 } }]));
        });
        const settled = await Promise.all(calls);
        const applied = settled.filter((r): r is StateApplied[] => !('kind' in r[0])).map((r) => r[0]);
        expect(applied).toHaveLength(2 * N);
        expect(applied.every((r) => r.outcome === 'ACCEPTED' || r.outcome === 'STALE')).toBe(true);
        for (const id of ['a', 'b']) {
          const accepted = applied.filter((r) => r.outcome === 'ACCEPTED' && r.asset!.id === p + id);
          expect(accepted.length).toBeGreaterThan(0);
          const stored = await one(p, id);
          // The newest report carrying each metric: seq 23, even 22, third 21 (observed at i + 1).
          expect(stored.state).toEqual({ seq: 23, even: 22, third: 'v21' });
          expect(stored.stateObservedAt).toEqual({ seq: at(24), even: at(23), third: at(22) });
          const upserts = id === 'a' ? 1 : 0;
          expect(stored.version).toBe(1 + accepted.length + upserts);
          // No lost update: every accepted report produced its own version.
          const versions = accepted.map((r) => r.asset!.version);
          expect(new Set(versions).size).toBe(versions.length);
          if (id === 'a') expect(stored.properties).toEqual({ rackUnit: 12 });
        }
      });

      test('one eventId sent at once for several assets, through two connections, is applied exactly once', async () => {
        const p = newPrefix();
        const ids = ['a', 'b', 'c', 'd'];
        await assets(p, ids.map((id) => [id, 'Server'] as [string, string]));
        // A second connection, as a second API process would have.
        const other = await makeStore();
        await other.init();
        try {
          for (let round = 0; round < 8; round++) {
            const eventId = `${p}ev-${round}`;
            const outcomes = await Promise.all(
              ids.map((id, i) => (i % 2 ? other : store).applyState([report(p + id, round + 1, { round }, eventId)], RETAIN).then(([r]) => r.outcome)),
            );
            expect([round, outcomes.filter((o) => o === 'ACCEPTED').length, outcomes.filter((o) => o === 'DUPLICATE').length]).toEqual([round, 1, 3]);
          }
          // And the assets the duplicates named kept no trace of them.
          const states = (await store.getAssets(ids.map((id) => p + id))).map((a) => a!.version);
          expect(states.reduce((n, v) => n + (v - 1), 0)).toBe(8);
        } finally {
          await other.close();
        }
      });

      describe('quarantine', () => {
        const rejected = (p: string, i: number): RejectedReport => ({
          receivedAt: new Date(Date.UTC(2024, 0, 2) + i).toISOString(),
          assetId: i % 4 === 3 ? null : `${p}asset-${i}`,
          reason: `${p} reason ${i}`,
          record: [{ assetId: `${p}asset-${i}`, values: { x: i, ok: true }, tags: ['a', 'b'] }, `{"not json ${i}`, null, 42][i % 4],
        });
        const mine = (p: string, reports: StoredRejectedReport[]) => reports.filter((r) => r.reason.startsWith(`${p} `));
        const indexOf = (p: string, r: StoredRejectedReport) => Number(r.reason.slice(`${p} reason `.length));

        test('reports come back newest first, as stored, paged by id without gaps or repeats', async () => {
          const p = newPrefix();
          const N = 25;
          const all = Array.from({ length: N }, (_, i) => rejected(p, i));
          await store.quarantine(all.slice(0, 12), 10_000);
          await store.quarantine(all.slice(12), 10_000);

          const seen: StoredRejectedReport[] = [];
          const pages: { size: number; hasNextPage: boolean }[] = [];
          let after: string | undefined;
          for (let guard = 0; guard < 1000 && mine(p, seen).length < N; guard++) {
            const page = await store.listQuarantine(4, after);
            seen.push(...page.reports);
            pages.push({ size: page.reports.length, hasNextPage: page.hasNextPage });
            if (!page.hasNextPage || page.reports.length === 0) break;
            after = page.reports[page.reports.length - 1].id;
          }
          // Ids are unique and strictly decreasing (newer reports have larger ids, compared as strings).
          const ids = seen.map((r) => r.id);
          expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.every((id, i) => i === 0 || ids[i - 1] > id)).toBe(true);
          // Every page before the last one seen is full and says there is more.
          expect(pages.slice(0, -1).every((pg) => pg.size === 4 && pg.hasNextPage)).toBe(true);

          const ours = mine(p, seen);
          expect(ours.map((r) => indexOf(p, r))).toEqual(Array.from({ length: N }, (_, i) => N - 1 - i));
          for (const r of ours) {
            const { id, ...rest } = r;
            expect(rest).toEqual(all[indexOf(p, r)]);
            expect(id).toEqual(expect.any(String));
          }
          // After the oldest of ours, none of ours.
          const rest = await store.listQuarantine(50, ours[ours.length - 1].id);
          expect(mine(p, rest.reports)).toEqual([]);
        });

        test('keeps only the newest `keep` reports', async () => {
          const p = newPrefix();
          await store.quarantine(Array.from({ length: 10 }, (_, i) => rejected(p, i)), 3);
          const first = await store.listQuarantine(10);
          expect(first.reports.map((r) => r.reason)).toEqual([9, 8, 7].map((i) => `${p} reason ${i}`));
          expect(first.hasNextPage).toBe(false);
          expect(await store.listQuarantine(10, first.reports[2].id)).toEqual({ reports: [], hasNextPage: false });
          const two = await store.listQuarantine(2);
          expect(two.reports.map((r) => indexOf(p, r))).toEqual([9, 8]);
          expect(two.hasNextPage).toBe(true);
          expect((await store.listQuarantine(2, two.reports[1].id)).reports.map((r) => indexOf(p, r))).toEqual([7]);

          await store.quarantine([rejected(p, 10), rejected(p, 11)], 3);
          const next = await store.listQuarantine(10);
          expect(next.reports.map((r) => indexOf(p, r))).toEqual([11, 10, 9]);
          expect(next.hasNextPage).toBe(false);
        });
      });
    });
    describe('scenario runs', () => {
      /** Every run a test created: deleted (with its results) when the block ends. */
      const createdRuns = new Set<string>();
      afterAll(async () => {
        if (!store) return;
        for (const id of createdRuns) await store.deleteRun(id);
      });

      /**
       * A submission time of its own for a listing test: far in the future and random, so that in
       * a shared database the test's runs come first in listRuns (newest first) and away from
       * other runs' times.
       */
      const futureBase = () => Date.UTC(9000 + Math.floor(Math.random() * 900), Math.floor(Math.random() * 12), 1 + Math.floor(Math.random() * 28));
      const at = (base: number, offsetMs: number) => new Date(base + offsetMs).toISOString();

      function runRecord(id: string, overrides: Partial<ScenarioRunRecord> = {}): ScenarioRunRecord {
        return {
          id,
          kind: 'IMPACT',
          status: 'QUEUED',
          progress: 0,
          seed: 42,
          error: null,
          submittedAt: '2024-03-01T12:00:00.000Z',
          startedAt: null,
          finishedAt: null,
          summary: null,
          input: { kind: 'IMPACT', failed: [], loadFactors: [], seed: 42 },
          idempotencyKey: null,
          engineVersion: null,
          modelVersion: null,
          inputHash: null,
          attempts: 0,
          ...overrides,
        };
      }

      async function createRun(run: ScenarioRunRecord) {
        createdRuns.add(run.id);
        return store.createRun(run);
      }

      /**
       * Create `run` with these results, the way a worker produces them: the run is RUNNING while
       * its results are written (the only time writeResults accepts them), then takes its status.
       */
      async function runWithResults(run: ScenarioRunRecord, results: SimulationResultRecord[]) {
        await createRun({ ...run, status: 'RUNNING' });
        expect(await store.writeResults(run.id, results)).toBe(true);
        if (run.status !== 'RUNNING') expect(await store.updateRun(run.id, { status: run.status }, ['RUNNING'])).not.toBeNull();
      }

      function result(runId: string, assetId: string, overrides: Partial<SimulationResultRecord> = {}): SimulationResultRecord {
        return { runId, assetId, ...NO_OUTCOME, ...overrides };
      }

      /** listRuns order: submittedAt descending, then id descending. */
      const newerFirst = (x: ScenarioRunRecord, y: ScenarioRunRecord) =>
        x.submittedAt !== y.submittedAt ? (x.submittedAt > y.submittedAt ? -1 : 1) : x.id > y.id ? -1 : x.id < y.id ? 1 : 0;

      /**
       * Walk listRuns pages of `size` until every run of `expected` was seen (or the pages end).
       * Checks what holds for every run listed, ours or not: matching the filter, strictly newest
       * first, no repeats, every page but the last full and announcing more. Returns the runs
       * under prefix `p`, in listing order.
       */
      async function walkRuns(p: string, filter: Parameters<GraphStore['listRuns']>[0], size: number, expected: string[]) {
        const seen: ScenarioRunRecord[] = [];
        const pages: { size: number; hasNextPage: boolean }[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 10_000; guard++) {
          const page = await store.listRuns(filter, size, after);
          seen.push(...page.runs);
          pages.push({ size: page.runs.length, hasNextPage: page.hasNextPage });
          if (!page.hasNextPage || page.runs.length === 0) break;
          if (expected.every((id) => seen.some((r) => r.id === id))) break;
          after = page.runs[page.runs.length - 1].id;
        }
        expect(seen.every((r, i) => i === 0 || newerFirst(seen[i - 1], r) < 0)).toBe(true);
        expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
        expect(pages.slice(0, -1).every((pg) => pg.size === size && pg.hasNextPage)).toBe(true);
        for (const r of seen) {
          if (filter.statuses) expect(filter.statuses).toContain(r.status);
          if (filter.kinds) expect(filter.kinds).toContain(r.kind);
        }
        const ours = seen.filter((r) => r.id.startsWith(p));
        // Past the oldest of ours, none of ours follows.
        if (ours.length > 0) {
          const rest = await store.listRuns(filter, 50, ours[ours.length - 1].id);
          expect(rest.runs.filter((r) => r.id.startsWith(p))).toEqual([]);
        }
        return ours;
      }

      test('createRun stores a run that getRuns returns exactly, summary and input included', async () => {
        const p = newPrefix();
        const queued = runRecord(p + 'run-1', {
          kind: 'LOAD',
          seed: 7,
          input: {
            kind: 'LOAD',
            roots: [p + 'a', p + 'b'],
            maxDepth: 3,
            failed: [p + 'a'],
            loadFactors: [{ assetId: p + 'b', factor: 1.2 }, { kind: 'Rack', factor: 0.5 }],
            seed: 7,
          },
        });
        const succeeded = runRecord(p + 'run-2', {
          kind: 'RELIABILITY',
          status: 'SUCCEEDED',
          progress: 1,
          seed: 2_147_483_647,
          startedAt: '2024-03-01T12:00:01.000Z',
          finishedAt: '2024-03-01T12:00:09.500Z',
          summary: { down: 3, ratio: 0.25, ok: true, none: null, ids: ['x', 'y'], byKind: { UPS: { down: 1 } }, text: 'ünïcödé "quoted" | ok' },
          input: { kind: 'RELIABILITY', failed: [], loadFactors: [], samples: 10_000, seed: 2_147_483_647 },
          idempotencyKey: p + 'key-2',
          engineVersion: 'reliability@1.0.0',
          modelVersion: 'datacenter@1',
          inputHash: 'sha256:0123abcd',
          attempts: 2,
        });
        const failed = runRecord(p + 'run-3', { status: 'FAILED', progress: 0.375, error: 'engine failed: "x" is not a number', attempts: 3 });
        for (const run of [queued, succeeded, failed]) expect(await createRun(run)).toEqual({ run, created: true });
        expect(await store.getRuns([succeeded.id, p + 'missing', queued.id, succeeded.id, failed.id])).toEqual([succeeded, null, queued, succeeded, failed]);
        expect(await store.getRuns([])).toEqual([]);
      });

      test('an idempotency key already used returns that run as it is now, and creates nothing', async () => {
        const p = newPrefix();
        const first = runRecord(p + 'run-1', { idempotencyKey: p + 'key', seed: 1 });
        expect(await createRun(first)).toEqual({ run: first, created: true });
        const startedAt = '2024-03-01T12:00:02.000Z';
        await store.updateRun(first.id, { status: 'RUNNING', startedAt, attempts: 1 }, ['QUEUED']);

        const repeat = runRecord(p + 'run-2', { idempotencyKey: p + 'key', seed: 2, kind: 'LOAD' });
        expect(await createRun(repeat)).toEqual({ run: { ...first, status: 'RUNNING', startedAt, attempts: 1 }, created: false });
        expect(await store.getRuns([repeat.id])).toEqual([null]);

        // Another key, or no key at all, creates a run every time.
        for (const run of [runRecord(p + 'run-3', { idempotencyKey: p + 'other' }), runRecord(p + 'run-4'), runRecord(p + 'run-5')]) {
          expect(await createRun(run)).toEqual({ run, created: true });
        }
        expect((await store.getRuns([p + 'run-3', p + 'run-4', p + 'run-5'])).map((r) => r?.id)).toEqual([p + 'run-3', p + 'run-4', p + 'run-5']);
      });

      test('a run id already in use is a CONFLICT and leaves the stored run alone', async () => {
        const p = newPrefix();
        const run = runRecord(p + 'run', { seed: 1 });
        await createRun(run);
        for (const again of [runRecord(p + 'run', { seed: 2 }), runRecord(p + 'run', { seed: 3, idempotencyKey: p + 'key' })]) {
          const error = await store.createRun(again).then(() => null, (err: unknown) => err);
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe('CONFLICT');
        }
        expect(await store.getRuns([run.id])).toEqual([run]);
        // The failed submission did not take the key either.
        const keyed = runRecord(p + 'run-2', { idempotencyKey: p + 'key' });
        expect(await createRun(keyed)).toEqual({ run: keyed, created: true });
      });

      test('concurrent submissions with one idempotency key create exactly one run', async () => {
        const p = newPrefix();
        const submissions = Array.from({ length: 8 }, (_, i) => runRecord(`${p}run-${i}`, { idempotencyKey: p + 'key', seed: i }));
        const outcomes = await Promise.all(submissions.map((run) => createRun(run)));
        const winners = outcomes.filter((o) => o.created);
        expect(winners).toHaveLength(1);
        const winner = winners[0].run;
        expect(outcomes.map((o) => o.run)).toEqual(submissions.map(() => winner));
        const stored = (await store.getRuns(submissions.map((r) => r.id))).filter((r) => r !== null);
        expect(stored).toEqual([winner]);
      });

      test('updateRun moves a run only from the given statuses: a cancelled run never runs again', async () => {
        const p = newPrefix();
        const run = runRecord(p + 'run');
        await createRun(run);
        const startedAt = '2024-03-01T12:00:01.000Z';
        const running = await store.updateRun(run.id, { status: 'RUNNING', startedAt, attempts: 1 }, ['QUEUED']);
        expect(running).toEqual({ ...run, status: 'RUNNING', startedAt, attempts: 1 });
        // No longer QUEUED: a second worker cannot claim it.
        expect(await store.updateRun(run.id, { status: 'RUNNING', attempts: 2 }, ['QUEUED'])).toBeNull();
        const progressed = await store.updateRun(run.id, { progress: 0.5 }, ['RUNNING']);
        expect(progressed).toEqual({ ...running, progress: 0.5 });

        const finishedAt = '2024-03-01T12:00:05.000Z';
        const cancelled = await store.updateRun(run.id, { status: 'CANCELLED', finishedAt }, ['QUEUED', 'RUNNING']);
        expect(cancelled).toEqual({ ...progressed, status: 'CANCELLED', finishedAt });
        // The worker's late claim, progress and completion are refused and change nothing.
        expect(await store.updateRun(run.id, { status: 'RUNNING', attempts: 2 }, ['QUEUED'])).toBeNull();
        expect(await store.updateRun(run.id, { progress: 0.9 }, ['RUNNING'])).toBeNull();
        expect(await store.updateRun(run.id, { status: 'SUCCEEDED', progress: 1, summary: { down: 1 } }, ['RUNNING'])).toBeNull();
        expect(await store.updateRun(run.id, { status: 'RUNNING' }, [])).toBeNull();
        expect(await store.getRuns([run.id])).toEqual([cancelled]);

        // An unknown run is never created by an update.
        expect(await store.updateRun(p + 'missing', { status: 'RUNNING' }, ['QUEUED'])).toBeNull();
        expect(await store.getRuns([p + 'missing'])).toEqual([null]);
      });

      test('updateRun: a null clears a field, an omitted or undefined one is kept, and the summary round-trips', async () => {
        const p = newPrefix();
        const run = runRecord(p + 'run', {
          status: 'RUNNING',
          error: 'transient: retrying',
          startedAt: '2024-03-01T12:00:01.000Z',
          summary: { partial: true },
          engineVersion: 'impact@1',
          modelVersion: 'datacenter@1',
          inputHash: 'h1',
          attempts: 1,
        });
        await createRun(run);
        const summary = { down: 2, atRisk: 1, ratio: 0.5, ids: ['a', 'b'], nested: { x: null, y: [1, 2.5] } };
        const finishedAt = '2024-03-01T12:00:09.000Z';
        const done = await store.updateRun(run.id, { status: 'SUCCEEDED', progress: 1, error: null, summary, finishedAt, inputHash: undefined }, ['RUNNING']);
        const expected: ScenarioRunRecord = { ...run, status: 'SUCCEEDED', progress: 1, error: null, summary, finishedAt };
        expect(done).toEqual(expected);
        expect(done!.inputHash).toBe('h1');
        expect(await store.getRuns([run.id])).toEqual([expected]);

        // An empty change is allowed (from the right status) and changes nothing.
        expect(await store.updateRun(run.id, {}, ['SUCCEEDED'])).toEqual(expected);
        expect(await store.updateRun(run.id, {}, ['RUNNING'])).toBeNull();

        const clearing = { summary: null, engineVersion: null, modelVersion: null, inputHash: null, startedAt: null, finishedAt: null };
        const cleared = await store.updateRun(run.id, clearing, ['SUCCEEDED']);
        expect(cleared).toEqual({ ...expected, ...clearing });
        expect(await store.getRuns([run.id])).toEqual([{ ...expected, ...clearing }]);
      });

      test('concurrent claims of one queued run: exactly one wins', async () => {
        const p = newPrefix();
        const run = runRecord(p + 'run');
        await createRun(run);
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.updateRun(run.id, { status: 'RUNNING', attempts: i + 1 }, ['QUEUED'])),
        );
        const winners = outcomes.filter((o) => o !== null);
        expect(winners).toHaveLength(1);
        expect(await store.getRuns([run.id])).toEqual(winners);
      });

      test('listRuns pages newest first (submittedAt, then id) without gaps or repeats, ties included', async () => {
        const p = newPrefix();
        const base = futureBase();
        // 11 runs on 4 submission times, created out of order; ties on submittedAt go by id, descending.
        const offsets = [2, 0, 3, 1, 2, 3, 0, 2, 1, 3, 2];
        const runs = offsets.map((o, i) => runRecord(`${p}run-${String.fromCharCode(97 + ((i * 7) % 11))}`, { submittedAt: at(base, o * 1000) }));
        for (const run of runs) await createRun(run);
        const expected = [...runs].sort(newerFirst);

        for (const size of [3, 4, 11, 50]) {
          const ours = await walkRuns(p, {}, size, expected.map((r) => r.id));
          expect(ours).toEqual(expected);
        }
        // A cursor that is no run positions nowhere: an empty page.
        expect(await store.listRuns({}, 5, p + 'no-such-run')).toEqual({ runs: [], hasNextPage: false });
      });

      test('listRuns filters by statuses and kinds, in the database', async () => {
        const p = newPrefix();
        const base = futureBase();
        const specs: [string, ScenarioKind, RunStatus][] = [
          ['a', 'IMPACT', 'QUEUED'],
          ['b', 'LOAD', 'SUCCEEDED'],
          ['c', 'RELIABILITY', 'FAILED'],
          ['d', 'LOAD', 'FAILED'],
          ['e', 'IMPACT', 'SUCCEEDED'],
          ['f', 'LOAD', 'CANCELLED'],
          ['g', 'RELIABILITY', 'RUNNING'],
        ];
        // a is the oldest, g the newest.
        for (const [i, [id, kind, status]] of specs.entries()) {
          await createRun(runRecord(p + id, { kind, status, submittedAt: at(base, i * 1000) }));
        }
        const check = async (filter: Parameters<GraphStore['listRuns']>[0], ids: string[]) => {
          const ours = await walkRuns(p, filter, 2, ids.map((id) => p + id));
          expect(ours.map((r) => r.id.slice(p.length))).toEqual(ids);
        };
        await check({}, ['g', 'f', 'e', 'd', 'c', 'b', 'a']);
        await check({ statuses: ['SUCCEEDED', 'FAILED'] }, ['e', 'd', 'c', 'b']);
        await check({ kinds: ['LOAD'] }, ['f', 'd', 'b']);
        await check({ statuses: ['FAILED', 'CANCELLED'], kinds: ['LOAD', 'IMPACT'] }, ['f', 'd']);
        await check({ statuses: ['QUEUED'], kinds: ['LOAD'] }, []);
        expect(await store.listRuns({ statuses: [] }, 10)).toEqual({ runs: [], hasNextPage: false });
        expect(await store.listRuns({ kinds: [] }, 10)).toEqual({ runs: [], hasNextPage: false });
      });

      test('writeResults stores every field, and a repeat replaces results instead of adding any', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS'], ['b', 'PDU'], ['c', 'Rack']]);
        const run = runRecord(p + 'run', { status: 'RUNNING' });
        await createRun(run);
        const first = [
          result(run.id, p + 'b', {
            state: 'DOWN',
            depth: 2,
            cause: p + 'a',
            availability: 0.999,
            availabilityLow: 0.998,
            availabilityHigh: 0.9995,
            loadKw: 12.5,
            utilization: 0.8,
            overloaded: false,
          }),
          result(run.id, p + 'a', { state: 'AT_RISK', depth: 0, loadKw: 100, utilization: 1.25, overloaded: true }),
          result(run.id, p + 'c'),
        ];
        expect(await store.writeResults(run.id, first)).toBe(true);
        expect(await store.listResults(run.id, 10)).toEqual({ results: [first[1], first[0], first[2]], hasNextPage: false, totalCount: 3 });

        // The job runs again (at-least-once delivery), twice, with some values changed or gone.
        const second = [
          result(run.id, p + 'b', { state: 'AT_RISK', depth: 1, availability: 0.5 }),
          result(run.id, p + 'a', { state: 'AT_RISK', depth: 0, loadKw: 100, utilization: 1.25, overloaded: true }),
        ];
        expect(await store.writeResults(run.id, second)).toBe(true);
        expect(await store.writeResults(run.id, second)).toBe(true);
        expect(await store.listResults(run.id, 10)).toEqual({ results: [second[1], second[0], first[2]], hasNextPage: false, totalCount: 3 });

        // The same (run, asset) twice in one batch: one result, the later one.
        expect(await store.writeResults(run.id, [result(run.id, p + 'c', { loadKw: 1 }), result(run.id, p + 'c', { loadKw: 2 })])).toBe(true);
        const page = await store.listResults(run.id, 10);
        expect(page.totalCount).toBe(3);
        expect(page.results.map((r) => r.assetId)).toEqual([p + 'a', p + 'b', p + 'c']);
        expect(page.results[2]).toEqual(result(run.id, p + 'c', { loadKw: 2 }));

        expect(await store.writeResults(run.id, [])).toBe(true);
        expect((await store.listResults(run.id, 10)).totalCount).toBe(3);
      });

      test('results for assets that do not exist are dropped, and results go when their asset is deleted', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS'], ['b', 'PDU']]);
        const run = runRecord(p + 'run', { status: 'SUCCEEDED' });
        const ra = result(run.id, p + 'a', { state: 'DOWN', depth: 0 });
        const rb = result(run.id, p + 'b', { state: 'DOWN', depth: 1, cause: p + 'a' });
        // The twin changed since the snapshot: a result for a vanished asset is not an error.
        await runWithResults(run, [ra, result(run.id, p + 'ghost', { state: 'DOWN' }), rb]);
        expect(await store.listResults(run.id, 10)).toEqual({ results: [ra, rb], hasNextPage: false, totalCount: 2 });

        await store.deleteAssets([p + 'a']);
        expect(await store.listResults(run.id, 10)).toEqual({ results: [rb], hasNextPage: false, totalCount: 1 });
        const byAsset = await store.resultsForAssets([p + 'a', p + 'b'], 5);
        expect(byAsset.get(p + 'a')).toEqual([]);
        expect(byAsset.get(p + 'b')).toEqual([rb]);

        // Re-creating the asset does not bring its old results back.
        await assets(p, [['a', 'UPS']]);
        expect((await store.resultsForAssets([p + 'a'], 5)).get(p + 'a')).toEqual([]);
        expect((await store.listResults(run.id, 10)).totalCount).toBe(1);
      });

      test('writeResults writes only while the run is RUNNING: never for a cancelled, finished or unknown run', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS'], ['b', 'PDU']]);
        const ra = (runId: string) => result(runId, p + 'a', { state: 'DOWN', depth: 0 });
        for (const status of ['QUEUED', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const) {
          const run = runRecord(`${p}run-${status}`, { status });
          await createRun(run);
          expect([status, await store.writeResults(run.id, [ra(run.id)])]).toEqual([status, false]);
          expect([status, await store.listResults(run.id, 10)]).toEqual([status, { results: [], hasNextPage: false, totalCount: 0 }]);
        }
        expect(await store.writeResults(p + 'no-run', [ra(p + 'no-run')])).toBe(false);
        expect(await store.listResults(p + 'no-run', 10)).toEqual({ results: [], hasNextPage: false, totalCount: 0 });

        // Running: accepted. Cancelled meanwhile: the next batch is refused and what was written stays.
        const run = runRecord(p + 'run', { status: 'RUNNING' });
        await createRun(run);
        expect(await store.writeResults(run.id, [ra(run.id)])).toBe(true);
        await store.updateRun(run.id, { status: 'CANCELLED' }, ['RUNNING']);
        expect(await store.writeResults(run.id, [result(run.id, p + 'a', { state: 'AT_RISK' }), result(run.id, p + 'b')])).toBe(false);
        expect(await store.writeResults(run.id, [])).toBe(false);
        expect(await store.listResults(run.id, 10)).toEqual({ results: [ra(run.id)], hasNextPage: false, totalCount: 1 });

        // A run created later under an unknown id starts without results.
        await createRun(runRecord(p + 'no-run', { status: 'RUNNING' }));
        expect(await store.listResults(p + 'no-run', 10)).toEqual({ results: [], hasNextPage: false, totalCount: 0 });
      });

      test('results are written for the run named, whatever runId the records carry', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS']]);
        const run = runRecord(p + 'run', { status: 'RUNNING' });
        const other = runRecord(p + 'other', { status: 'RUNNING' });
        await createRun(run);
        await createRun(other);
        expect(await store.writeResults(run.id, [result(other.id, p + 'a', { loadKw: 5 })])).toBe(true);
        expect(await store.listResults(run.id, 10)).toEqual({ results: [result(run.id, p + 'a', { loadKw: 5 })], hasNextPage: false, totalCount: 1 });
        expect((await store.listResults(other.id, 10)).totalCount).toBe(0);
      });

      test('deleteRun removes the run and its results (not its assets) and frees its idempotency key', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS'], ['b', 'PDU']]);
        const run = runRecord(p + 'run-1', { status: 'SUCCEEDED', idempotencyKey: p + 'key', submittedAt: '2024-03-02T00:00:00.000Z' });
        const other = runRecord(p + 'run-2', { status: 'SUCCEEDED' });
        for (const r of [run, other]) await runWithResults(r, [result(r.id, p + 'a', { loadKw: 1 }), result(r.id, p + 'b', { loadKw: 2 })]);
        expect((await store.resultsForAssets([p + 'a'], 10)).get(p + 'a')!.map((r) => r.runId)).toEqual([run.id, other.id]);

        await store.deleteRun(run.id);
        expect(await store.getRuns([run.id, other.id])).toEqual([null, other]);
        expect(await store.listResults(run.id, 10)).toEqual({ results: [], hasNextPage: false, totalCount: 0 });
        expect((await store.listResults(other.id, 10)).totalCount).toBe(2);
        expect((await store.resultsForAssets([p + 'a'], 10)).get(p + 'a')).toEqual([result(other.id, p + 'a', { loadKw: 1 })]);
        expect([...(await store.existingIds([p + 'a', p + 'b']))].sort()).toEqual([p + 'a', p + 'b']);

        // Deleting again, or a run that never was, is a no-op.
        await store.deleteRun(run.id);
        await store.deleteRun(p + 'never');
        // A resubmission with the key of the deleted run creates a new run.
        const resubmitted = runRecord(p + 'run-3', { idempotencyKey: p + 'key' });
        expect(await createRun(resubmitted)).toEqual({ run: resubmitted, created: true });
        expect(await store.listResults(resubmitted.id, 10)).toEqual({ results: [], hasNextPage: false, totalCount: 0 });
      });

      test("listResults pages a run's results by asset id, with the run's total count", async () => {
        const p = newPrefix();
        const names = ['g', 'c', 'a', 'e', 'b', 'f', 'd'];
        await assets(p, names.map((n): [string, string] => [n, 'Server']));
        const run = runRecord(p + 'run-1', { status: 'SUCCEEDED' });
        const other = runRecord(p + 'run-2', { status: 'SUCCEEDED' });
        await runWithResults(run, names.map((n, i) => result(run.id, p + n, { loadKw: i, utilization: i / 10 })));
        await runWithResults(other, ['a', 'b'].map((n) => result(other.id, p + n, { loadKw: 99 })));

        const pages: { ids: string[]; hasNextPage: boolean; totalCount: number }[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await store.listResults(run.id, 3, after);
          expect(page.results.every((r) => r.runId === run.id)).toBe(true);
          pages.push({ ids: page.results.map((r) => r.assetId.slice(p.length)), hasNextPage: page.hasNextPage, totalCount: page.totalCount });
          if (!page.hasNextPage) break;
          after = page.results[page.results.length - 1].assetId;
        }
        expect(pages).toEqual([
          { ids: ['a', 'b', 'c'], hasNextPage: true, totalCount: 7 },
          { ids: ['d', 'e', 'f'], hasNextPage: true, totalCount: 7 },
          { ids: ['g'], hasNextPage: false, totalCount: 7 },
        ]);
        const d = await store.listResults(run.id, 1, p + 'c');
        expect(d).toEqual({ results: [result(run.id, p + 'd', { loadKw: 6, utilization: 0.6 })], hasNextPage: true, totalCount: 7 });
        expect(await store.listResults(run.id, 3, p + 'g')).toEqual({ results: [], hasNextPage: false, totalCount: 7 });
        expect((await store.listResults(other.id, 10)).results.map((r) => r.assetId)).toEqual([p + 'a', p + 'b']);
        expect(await store.listResults(p + 'no-such-run', 10)).toEqual({ results: [], hasNextPage: false, totalCount: 0 });
      });

      test("resultsForAssets gives each asset's last results from SUCCEEDED runs only, newest run first", async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS'], ['b', 'PDU'], ['c', 'Rack']]);
        const base = Date.UTC(2024, 0, 1);
        const specs: [string, RunStatus, number][] = [
          ['r1', 'SUCCEEDED', 1],
          ['r2', 'FAILED', 2],
          ['r3', 'SUCCEEDED', 3],
          ['r4', 'RUNNING', 4],
          // Submitted at the same time as r3: the larger id counts as newer.
          ['r5', 'SUCCEEDED', 3],
          ['r6', 'CANCELLED', 5],
          ['r7', 'QUEUED', 6],
          ['r8', 'SUCCEEDED', 0],
        ];
        const loadOf = (run: string) => Number(run.slice(1));
        for (const [id, status, offset] of specs) {
          const results = ['a', 'b'].map((asset) => result(p + id, p + asset, { state: 'DOWN', depth: 1, cause: p + 'c', loadKw: loadOf(id) }));
          // Only the FAILED run has a result for c.
          if (status === 'FAILED') results.push(result(p + id, p + 'c', { state: 'DOWN' }));
          await runWithResults(runRecord(p + id, { status, submittedAt: at(base, offset * 60_000) }), results);
        }
        const runsOf = (list: SimulationResultRecord[] | undefined) => (list ?? []).map((r) => r.runId.slice(p.length));

        const got = await store.resultsForAssets([p + 'a', p + 'b', p + 'c', p + 'ghost', p + 'a'], 3);
        expect([...got.keys()].sort()).toEqual([p + 'a', p + 'b', p + 'c', p + 'ghost']);
        expect(runsOf(got.get(p + 'a'))).toEqual(['r5', 'r3', 'r1']);
        expect(got.get(p + 'b')).toEqual(['r5', 'r3', 'r1'].map((id) => result(p + id, p + 'b', { state: 'DOWN', depth: 1, cause: p + 'c', loadKw: loadOf(id) })));
        expect(got.get(p + 'c')).toEqual([]);
        expect(got.get(p + 'ghost')).toEqual([]);

        expect(runsOf((await store.resultsForAssets([p + 'a'], 10)).get(p + 'a'))).toEqual(['r5', 'r3', 'r1', 'r8']);
        expect(runsOf((await store.resultsForAssets([p + 'a'], 1)).get(p + 'a'))).toEqual(['r5']);
        expect((await store.resultsForAssets([p + 'a'], 0)).get(p + 'a')).toEqual([]);
        expect((await store.resultsForAssets([], 3)).size).toBe(0);

        // A run's results count from the moment it succeeds.
        await store.updateRun(p + 'r7', { status: 'SUCCEEDED' }, ['QUEUED']);
        expect((await store.getRuns([p + 'r7']))[0]!.status).toBe('SUCCEEDED');
        expect(runsOf((await store.resultsForAssets([p + 'b'], 2)).get(p + 'b'))).toEqual(['r7', 'r5']);
      });
    });

    describe('audit trail', () => {
      /**
       * Entries cannot be deleted one by one, only pruned by time: every entry this block writes is
       * dated in a far-past window of this run (a random year between 100 and 899, nowhere near
       * real entries), one day per test, and the block prunes up to the end of that window when it
       * ends. Actors, operations and ids carry the test's prefix, and every listing is filtered by
       * one of them, so other entries of a shared database never show up in what a test asserts.
       */
      const auditBase = Date.UTC(100 + Math.floor(Math.random() * 800), 0, 1);
      let auditDays = 0;
      /** A day of its own for a test: `at(i)` is i seconds into it. */
      const newDay = () => {
        const start = auditBase + ++auditDays * 86_400_000;
        return (seconds: number) => new Date(start + seconds * 1000).toISOString();
      };
      afterAll(async () => {
        if (store) await store.pruneAudit(new Date(auditBase + (auditDays + 1) * 86_400_000).toISOString());
      });

      /** Entry `n` of a test: its id starts with its time, so ids sort in time order. */
      function entry(p: string, at: string, n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
        return {
          id: `${at}-${p}${String(n).padStart(3, '0')}`,
          at,
          actor: `${p}alice`,
          role: 'editor',
          operation: `${p}upsertAssets`,
          ids: [`${p}a`],
          idCount: 1,
          outcome: 'OK',
          error: null,
          ...overrides,
        };
      }

      /**
       * Walk listAudit pages of `size` to the end. Checks that entries come strictly newest first
       * (by id), without repeats, and that every page but the last is full and announces more.
       */
      async function walkAudit(filter: AuditFilter, size = 100) {
        const entries: AuditEntry[] = [];
        const pages: { size: number; hasNextPage: boolean }[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 1000; guard++) {
          const page = await store.listAudit(filter, size, after);
          entries.push(...page.entries);
          pages.push({ size: page.entries.length, hasNextPage: page.hasNextPage });
          if (!page.hasNextPage || page.entries.length === 0) break;
          after = page.entries[page.entries.length - 1].id;
        }
        expect(entries.every((e, i) => i === 0 || entries[i - 1].id > e.id)).toBe(true);
        expect(pages.slice(0, -1).every((pg) => pg.size === size && pg.hasNextPage)).toBe(true);
        return { entries, pages };
      }

      test('appended entries come back exactly, ids list and idCount included', async () => {
        const p = newPrefix();
        const at = newDay();
        const many = Array.from({ length: AUDIT_MAX_IDS }, (_, i) => `${p}asset-${i}`);
        const written = [
          entry(p, at(0), 0, { ids: [`${p}a`, `${p}b`], idCount: 2 }),
          entry(p, at(1), 1, { role: 'admin', operation: `${p}deleteAssets`, ids: [], idCount: 0, outcome: 'ERROR', error: 'NOT_FOUND' }),
          // Only the first AUDIT_MAX_IDS ids are kept; the count covers them all.
          entry(p, at(2), 2, { operation: `${p}relate "ünïcödé"`, ids: many, idCount: 1500 }),
        ];
        await store.appendAudit(written);
        await store.appendAudit([]);
        const page = await store.listAudit({ actor: `${p}alice` }, 10);
        expect(page).toEqual({ entries: [...written].reverse(), hasNextPage: false });
        expect(page.entries[0].ids).toHaveLength(AUDIT_MAX_IDS);
        expect(page.entries[0].ids).toEqual(many);
      });

      test('pages newest first by id, without gaps or repeats', async () => {
        const p = newPrefix();
        const at = newDay();
        const N = 11;
        const alice = Array.from({ length: N }, (_, i) => entry(p, at(2 * i), i));
        // Another actor's entries in between, which the filter leaves out.
        const bob = Array.from({ length: 5 }, (_, i) => entry(p, at(2 * i + 1), 100 + i, { actor: `${p}bob` }));
        // Appended out of time order, over several calls.
        const order = [7, 2, 10, 0, 5, 9, 1, 4, 8, 3, 6];
        await store.appendAudit(order.slice(0, 4).map((i) => alice[i]));
        await store.appendAudit([...bob, ...order.slice(4, 8).map((i) => alice[i])]);
        await store.appendAudit(order.slice(8).map((i) => alice[i]));

        const newestFirst = [...alice].reverse();
        const { entries, pages } = await walkAudit({ actor: `${p}alice` }, 4);
        expect(entries).toEqual(newestFirst);
        expect(pages).toEqual([
          { size: 4, hasNextPage: true },
          { size: 4, hasNextPage: true },
          { size: 3, hasNextPage: false },
        ]);
        // A page starts right after the entry given as `after`.
        const one = await store.listAudit({ actor: `${p}alice` }, 1, newestFirst[5].id);
        expect(one).toEqual({ entries: [newestFirst[6]], hasNextPage: true });
        // Nothing after the oldest.
        expect(await store.listAudit({ actor: `${p}alice` }, 10, alice[0].id)).toEqual({ entries: [], hasNextPage: false });
        // A page size is taken whole and never below 0.
        expect(await store.listAudit({ actor: `${p}alice` }, 2.7)).toEqual({ entries: newestFirst.slice(0, 2), hasNextPage: true });
        expect(await store.listAudit({ actor: `${p}alice` }, 0)).toEqual({ entries: [], hasNextPage: true });
        expect(await store.listAudit({ actor: `${p}alice` }, -1)).toEqual({ entries: [], hasNextPage: true });
        expect(await store.listAudit({ actor: `${p}alice` }, 0, alice[0].id)).toEqual({ entries: [], hasNextPage: false });
        // Both actors together, interleaved in time.
        const both = await walkAudit({ operation: `${p}upsertAssets` }, 3);
        expect(both.entries.map((e) => e.id)).toEqual([...alice, ...bob].map((e) => e.id).sort().reverse());
      });

      test('filters by actor, operation, asset id and time, alone and combined', async () => {
        const p = newPrefix();
        const at = newDay();
        const op = (name: string) => `${p}${name}`;
        const written = [
          entry(p, at(0), 0, { operation: op('upsertAssets'), ids: [`${p}a`, `${p}b`], idCount: 2 }),
          entry(p, at(1), 1, { actor: `${p}bob`, operation: op('relate'), ids: [`${p}ab`], idCount: 1 }),
          entry(p, at(2), 2, { operation: op('relate'), ids: [`${p}b`], idCount: 1 }),
          entry(p, at(3), 3, { actor: `${p}bob`, operation: op('upsertAssets'), ids: [`${p}a`], idCount: 1, outcome: 'ERROR', error: 'BAD_INPUT' }),
          entry(p, at(4), 4, { operation: op('deleteAssets'), ids: [], idCount: 0 }),
        ];
        await store.appendAudit(written);
        const label = new Map(written.map((e, i) => [e.id, `e${i}`]));
        const labels = async (filter: AuditFilter, size = 100) => (await walkAudit(filter, size)).entries.map((e) => label.get(e.id) ?? e.id);

        expect(await labels({ actor: `${p}alice` })).toEqual(['e4', 'e2', 'e0']);
        expect(await labels({ actor: `${p}bob` })).toEqual(['e3', 'e1']);
        expect(await labels({ actor: `${p}nobody` })).toEqual([]);
        expect(await labels({ operation: op('upsertAssets') })).toEqual(['e3', 'e0']);
        expect(await labels({ operation: op('relate'), actor: `${p}alice` })).toEqual(['e2']);
        // An asset id matches one of the ids exactly (`a` is not in [`ab`]).
        expect(await labels({ assetId: `${p}a` })).toEqual(['e3', 'e0']);
        expect(await labels({ assetId: `${p}b` })).toEqual(['e2', 'e0']);
        expect(await labels({ assetId: `${p}ab` })).toEqual(['e1']);
        expect(await labels({ assetId: `${p}missing` })).toEqual([]);
        expect(await labels({ assetId: `${p}a`, actor: `${p}alice` })).toEqual(['e0']);
        // since is inclusive, until exclusive.
        expect(await labels({ actor: `${p}alice`, since: at(2) })).toEqual(['e4', 'e2']);
        expect(await labels({ actor: `${p}alice`, until: at(2) })).toEqual(['e0']);
        expect(await labels({ actor: `${p}alice`, since: at(0), until: at(4) })).toEqual(['e2', 'e0']);
        expect(await labels({ actor: `${p}bob`, since: at(1), until: at(3) })).toEqual(['e1']);
        expect(await labels({ assetId: `${p}a`, since: at(1), until: at(5) })).toEqual(['e3']);
        expect(await labels({ actor: `${p}alice`, since: at(3), until: at(3) })).toEqual([]);
        // Filtered pages of one.
        expect(await labels({ operation: op('upsertAssets') }, 1)).toEqual(['e3', 'e0']);
        const first = await store.listAudit({ assetId: `${p}b` }, 1);
        expect(first).toEqual({ entries: [written[2]], hasNextPage: true });
        expect(await store.listAudit({ assetId: `${p}b` }, 1, first.entries[0].id)).toEqual({ entries: [written[0]], hasNextPage: false });
      });

      test('an entry whose id is already stored is ignored', async () => {
        const p = newPrefix();
        const at = newDay();
        const first = entry(p, at(0), 0, { ids: [`${p}a`], idCount: 1 });
        await store.appendAudit([first]);
        // Again, changed: ignored, the rest of the batch still appended.
        const changed: AuditEntry = { ...first, role: 'admin', operation: `${p}other`, ids: [`${p}z`], idCount: 9, outcome: 'ERROR', error: 'CONFLICT' };
        const second = entry(p, at(1), 1);
        await store.appendAudit([changed, second]);
        // Twice in one batch: the first one given is kept.
        const third = entry(p, at(2), 2, { ids: [`${p}c`] });
        await store.appendAudit([third, { ...third, operation: `${p}other`, ids: [`${p}z`] }, first]);

        expect(await walkAudit({ actor: `${p}alice` })).toEqual({ entries: [third, second, first], pages: [{ size: 3, hasNextPage: false }] });
        expect((await walkAudit({ operation: `${p}other` })).entries).toEqual([]);
        expect((await walkAudit({ assetId: `${p}z` })).entries).toEqual([]);
      });

      test('pruneAudit deletes the entries older than the given time and says how many', async () => {
        const p = newPrefix();
        const at = newDay();
        // Anything left before this test's day (an earlier test's or an aborted run's entries) goes
        // first, so that the counts below are this test's alone.
        await store.pruneAudit(at(0));
        const alice = Array.from({ length: 5 }, (_, i) => entry(p, at(i), i));
        const bob = entry(p, at(2), 9, { actor: `${p}bob` });
        await store.appendAudit([...alice, bob]);

        expect(await store.pruneAudit(at(0))).toBe(0);
        // Strictly older only: the entries at at(2) stay.
        expect(await store.pruneAudit(at(2))).toBe(2);
        expect((await walkAudit({ actor: `${p}alice` })).entries).toEqual([alice[4], alice[3], alice[2]]);
        expect((await walkAudit({ actor: `${p}bob` })).entries).toEqual([bob]);
        expect(await store.pruneAudit(at(2))).toBe(0);
        // A prune of what is left, whatever the actor.
        expect(await store.pruneAudit(at(5))).toBe(4);
        expect((await walkAudit({ operation: `${p}upsertAssets` })).entries).toEqual([]);
        // The pruned ids are free: appending one again stores it anew.
        await store.appendAudit([alice[0]]);
        expect((await walkAudit({ actor: `${p}alice` })).entries).toEqual([alice[0]]);
      });
    });
  });
}
