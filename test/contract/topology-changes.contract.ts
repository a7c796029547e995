/**
 * The TopologyStore contract, part 3: every write says what it changed (`changes`), worked out
 * inside its transaction: what topology events are made of (src/live/topology-events.ts).
 */
import type { GraphStore } from '../../src/graph/graph-store';
import type { TopologyChanges } from '../../src/graph/types';
import { closeStore, newRun, openStore, type StoreFactory } from './contract-helpers';

export function topologyChangesContract(name: string, makeStore: StoreFactory): void {
  describe(`TopologyStore contract (change sets): ${name}`, () => {
    const { runId, newPrefix } = newRun();
    let store: GraphStore;
    beforeAll(async () => {
      store = await openStore(makeStore);
    });
    afterAll(() => closeStore(store, runId));

    const none: TopologyChanges = { assetsUpserted: [], assetsCreated: [], assetsDeleted: [], relationshipsUpserted: [], relationshipsDeleted: [] };
    const strip = (p: string, id: string) => id.slice(p.length);

    test('upsertAssets lists the assets it created or changed, each once, in input order, as stored; not the unchanged ones', async () => {
      const p = newPrefix();
      await store.upsertAssets([
        { id: p + 'b', kind: 'UPS', properties: { ratedKw: 500 } },
        { id: p + 'c', kind: 'PDU' },
      ]);
      const { assets, changes } = await store.upsertAssets([
        { id: p + 'z', kind: 'Rack', name: 'new' },
        { id: p + 'b', kind: 'UPS', properties: { ratedKw: 600 } },
        { id: p + 'c', kind: 'PDU' }, // no change
        { id: p + 'z', kind: 'Rack', properties: { row: 2 } }, // the new one again, in the same batch
      ]);
      expect(changes.assetsUpserted.map((a) => strip(p, a.id))).toEqual(['z', 'b']);
      expect(changes.assetsCreated.map((id) => strip(p, id))).toEqual(['z']);
      expect(changes.assetsUpserted[0]).toEqual(assets[3]);
      expect(changes.assetsUpserted[0]).toMatchObject({ name: 'new', properties: { row: 2 }, version: 2 });
      expect(changes.assetsUpserted[1]).toEqual((await store.getAssets([p + 'b']))[0]);
      expect({ ...changes, assetsUpserted: [], assetsCreated: [] }).toEqual(none);
      // A batch that changes nothing has an empty change set.
      expect((await store.upsertAssets([{ id: p + 'c', kind: 'PDU' }])).changes).toEqual(none);
    });

    test('relate lists each relationship written once, with both endpoints\' kinds and its final properties', async () => {
      const p = newPrefix();
      await store.upsertAssets([
        { id: p + 'ups', kind: 'UPS' },
        { id: p + 'pdu', kind: 'PDU' },
      ]);
      const { changes } = await store.relate([
        { from: p + 'ups', type: 'FEEDS', to: p + 'pdu', properties: { cable: 'old' } },
        { from: p + 'pdu', type: 'CONNECTS_TO', to: p + 'ups' },
        { from: p + 'ups', type: 'FEEDS', to: p + 'pdu', properties: { cable: 'new' } },
      ]);
      expect({ ...changes, relationshipsUpserted: [] }).toEqual(none);
      expect(changes.relationshipsUpserted).toEqual(
        expect.arrayContaining([
          { type: 'FEEDS', from: { id: p + 'ups', kind: 'UPS' }, to: { id: p + 'pdu', kind: 'PDU' }, properties: { cable: 'new' } },
          { type: 'CONNECTS_TO', from: { id: p + 'pdu', kind: 'PDU' }, to: { id: p + 'ups', kind: 'UPS' }, properties: {} },
        ]),
      );
      expect(changes.relationshipsUpserted).toHaveLength(2);
    });

    test('unrelate lists the relationships that existed, with kinds and properties', async () => {
      const p = newPrefix();
      await store.upsertAssets([
        { id: p + 'ups', kind: 'UPS' },
        { id: p + 'pdu', kind: 'PDU' },
      ]);
      await store.relate([{ from: p + 'ups', type: 'FEEDS', to: p + 'pdu', properties: { cable: 'C-1', redundancyGroup: 'g' } }]);
      const key = { from: p + 'ups', type: 'FEEDS', to: p + 'pdu' };
      const { removed, changes } = await store.unrelate([key, key, { from: p + 'pdu', type: 'FEEDS', to: p + 'ups' }]);
      expect(removed).toBe(1);
      expect(changes).toEqual({
        ...none,
        relationshipsDeleted: [{ type: 'FEEDS', from: { id: p + 'ups', kind: 'UPS' }, to: { id: p + 'pdu', kind: 'PDU' }, properties: { cable: 'C-1', redundancyGroup: 'g' } }],
      });
      expect((await store.unrelate([key])).changes).toEqual(none);
    });

    test('deleteAssets lists the assets that existed and every relationship that went with them, once', async () => {
      const p = newPrefix();
      await store.upsertAssets([
        { id: p + 'ups', kind: 'UPS' },
        { id: p + 'pdu', kind: 'PDU' },
        { id: p + 'rack', kind: 'Rack' },
      ]);
      await store.relate([
        { from: p + 'ups', type: 'FEEDS', to: p + 'pdu' },
        { from: p + 'pdu', type: 'FEEDS', to: p + 'rack', properties: { phase: 1 } },
      ]);
      const { deleted, changes } = await store.deleteAssets([p + 'ups', p + 'pdu', p + 'ghost']);
      expect(deleted).toBe(2);
      expect({ ...changes, assetsDeleted: [], relationshipsDeleted: [] }).toEqual(none);
      expect([...changes.assetsDeleted].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
        { id: p + 'pdu', kind: 'PDU' },
        { id: p + 'ups', kind: 'UPS' },
      ]);
      // The one between the two deleted assets, once; the one to the rack, which stays.
      expect([...changes.relationshipsDeleted].sort((x, y) => x.from.id.localeCompare(y.from.id))).toEqual([
        { type: 'FEEDS', from: { id: p + 'pdu', kind: 'PDU' }, to: { id: p + 'rack', kind: 'Rack' }, properties: { phase: 1 } },
        { type: 'FEEDS', from: { id: p + 'ups', kind: 'UPS' }, to: { id: p + 'pdu', kind: 'PDU' }, properties: {} },
      ]);
      expect((await store.deleteAssets([p + 'ups'])).changes).toEqual(none);
    });
  });
}
