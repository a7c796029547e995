/**
 * The TopologyStore contract, part 1: assets (init, upsertAssets, deleteAssets, getAssets,
 * getAssetSummaries, existingIds, listAssets and countAssets) and relate / unrelate. Part 2,
 * relationshipsOf, dependency edges and the traversals and impact built on them, is
 * topology-traversal.contract.ts. Isolation and the model the store must be built with:
 * contract-helpers.ts.
 */
import { DomainError } from '../../src/errors';
import type { GraphStore } from '../../src/graph/graph-store';
import type { AssetFilter, AssetRecord, AssetSort, PropertyFilter } from '../../src/graph/types';
import { closeStore, ISO_MS, listAll, newRun, openStore, relKeys, sleep, storeBuilders, type StoreFactory } from './contract-helpers';

export function topologyContract(name: string, makeStore: StoreFactory): void {
  describe(`TopologyStore contract: ${name}`, () => {
    const { runId, newPrefix } = newRun();
    let store: GraphStore;

    beforeAll(async () => {
      store = await openStore(makeStore);
    });

    afterAll(() => closeStore(store, runId));

    const { idsWhere, assets, relate } = storeBuilders(() => store);

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
        const { assets: out } = await store.upsertAssets([
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
        const [updated] = (await store.upsertAssets([{ id: p + 'a', kind: 'UPS', properties: { ratedKw: 750, vendor: null, serial: 'S-1' } }])).assets;
        expect(updated.name).toBe('Main UPS');
        expect(updated.properties).toEqual({ ratedKw: 750, model: 'X1', serial: 'S-1' });
        expect(updated.version).toBe(2);
        const [read] = await store.getAssets([p + 'a']);
        expect(read).toEqual(updated);
      });

      test('name and kind can be changed, and a null name clears it', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Server', 'web-1']]);
        const [renamed] = (await store.upsertAssets([{ id: p + 'a', kind: 'Service', name: 'web' }])).assets;
        expect(renamed).toMatchObject({ kind: 'Service', name: 'web', version: 2 });
        const [cleared] = (await store.upsertAssets([{ id: p + 'a', kind: 'Service', name: null }])).assets;
        expect(cleared).toMatchObject({ kind: 'Service', name: null, version: 3 });
        expect((await store.getAssets([p + 'a']))[0]).toMatchObject({ kind: 'Service', name: null, version: 3 });
      });

      test('version and updatedAt move only on a real change; createdAt never moves', async () => {
        const p = newPrefix();
        const [created] = await assets(p, [['a', 'PDU', 'PDU A', { ratedKw: 20, phases: [1, 2, 3], vendor: 'Acme' }]]);
        await sleep(15);
        // Same values (other key order, a null for an absent key, no name given): nothing changes.
        const {
          assets: [same],
        } = await store.upsertAssets([
          { id: p + 'a', kind: 'PDU', properties: { vendor: 'Acme', phases: [1, 2, 3], ratedKw: 20, missing: null } },
        ]);
        expect(same.version).toBe(1);
        expect(same.updatedAt).toBe(created.updatedAt);
        const [again] = (await store.upsertAssets([{ id: p + 'a', kind: 'PDU', name: 'PDU A' }])).assets;
        expect(again.version).toBe(1);
        expect((await store.getAssets([p + 'a']))[0]).toEqual(created);

        await sleep(15);
        const [changed] = (await store.upsertAssets([{ id: p + 'a', kind: 'PDU', properties: { phases: [1, 2] } }])).assets;
        expect(changed.version).toBe(2);
        expect(changed.updatedAt > created.updatedAt).toBe(true);
        expect(changed.createdAt).toBe(created.createdAt);

        await sleep(15);
        const [removed] = (await store.upsertAssets([{ id: p + 'a', kind: 'PDU', properties: { vendor: null } }])).assets;
        expect(removed.version).toBe(3);
        expect(removed.updatedAt > changed.updatedAt).toBe(true);
        expect(removed.properties).toEqual({ ratedKw: 20, phases: [1, 2] });
      });

      test('a number and the same digits as a string are different values', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'PDU', null, { code: 7 }]]);
        const [changed] = (await store.upsertAssets([{ id: p + 'a', kind: 'PDU', properties: { code: '7' } }])).assets;
        expect(changed.version).toBe(2);
        expect(changed.properties.code).toBe('7');
      });
    });

    describe('deleteAssets', () => {
      test('removes assets with all their relationships and counts only those that existed', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'PDU'], ['b', 'Rack'], ['c', 'Service']]);
        await relate(p, [['a', 'FEEDS', 'b'], ['c', 'DEPENDS_ON', 'a'], ['b', 'FEEDS', 'c'], ['a', 'CONTAINS', 'a']]);
        expect((await store.deleteAssets([p + 'a', p + 'missing', p + 'a'])).deleted).toBe(1);
        expect(await store.getAssets([p + 'a', p + 'b'])).toEqual([null, expect.objectContaining({ id: p + 'b' })]);
        const rels = await store.relationshipsOf([p + 'a', p + 'b', p + 'c'], 'BOTH');
        expect(relKeys(p, rels.get(p + 'a'))).toEqual([]);
        expect(relKeys(p, rels.get(p + 'b'))).toEqual(['b-FEEDS->c']);
        expect(relKeys(p, rels.get(p + 'c'))).toEqual(['b-FEEDS->c']);
        expect(await store.dependencyEdges([p + 'b'], 'UPSTREAM')).toEqual([]);
        expect((await store.deleteAssets([p + 'a'])).deleted).toBe(0);
        expect((await store.deleteAssets([])).deleted).toBe(0);

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
        const { removed } = await store.unrelate([
          { from: p + 'a', type: 'FEEDS', to: p + 'b' },
          { from: p + 'a', type: 'FEEDS', to: p + 'b' }, // repeated in the batch: still one relationship
          { from: p + 'b', type: 'FEEDS', to: p + 'a' }, // other direction: never existed
          { from: p + 'a', type: 'HOSTS', to: p + 'b' }, // other type: never existed
          { from: p + 'a', type: 'FEEDS', to: p + 'ghost' },
        ]);
        expect(removed).toBe(1);
        expect(relKeys(p, (await store.relationshipsOf([p + 'a'], 'BOTH')).get(p + 'a'))).toEqual(['a-COOLS->b']);
        expect((await store.unrelate([{ from: p + 'a', type: 'FEEDS', to: p + 'b' }])).removed).toBe(0);
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
  });
}
