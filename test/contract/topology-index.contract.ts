/**
 * The topology index (src/graph/topology-index.ts) over a store: the reads it answers from
 * memory (relationships, walks, summaries) stay what the store would answer, whoever writes. The traversal contract
 * also runs against an indexed store (see <store>.topology.test.ts); this suite covers what only
 * the index can get wrong: writes by another connection (another API instance, the import CLI),
 * a change that commits after one with a larger id, properties that change, and the size limit.
 */
import { TopologyIndex, withTopologyIndex } from '../../src/graph/topology-index';
import type { GraphStore } from '../../src/graph/graph-store';
import { reachable } from '../../src/graph/traversal';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { closeStore, edgeKeys, newRun, openStore, storeBuilders, type StoreFactory } from './contract-helpers';

const model = indexModel(loadTwinModel());
const SETTLE_MS = 35_000;

export function topologyIndexContract(name: string, makeStore: StoreFactory): void {
  describe(`topology index: ${name}`, () => {
    const { runId, newPrefix } = newRun();
    /** The connection the index reads through, counting the dependency reads that reach the store. */
    let inner: GraphStore;
    let indexed: GraphStore;
    let index: TopologyIndex;
    /** Another connection to the same data: another process writing. */
    let other: GraphStore;
    /** `inner`, counting in `storeReads` the dependency reads that reach it. */
    let counting: GraphStore;
    const storeReads = new Map<string, number>();

    beforeAll(async () => {
      inner = await openStore(makeStore);
      other = await openStore(makeStore);
      counting = new Proxy(inner, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof prop !== 'string' || !prop.startsWith('dependency')) return value;
          return (...args: unknown[]) => {
            storeReads.set(prop, (storeReads.get(prop) ?? 0) + 1);
            return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
          };
        },
      });
      index = new TopologyIndex(counting, model, { maxAssets: 1_000_000, settleMs: SETTLE_MS });
      indexed = withTopologyIndex(counting, index);
      await index.start();
    });

    afterAll(async () => {
      index?.stop();
      await other?.close();
      await closeStore(inner, runId);
    });

    const mine = storeBuilders(() => indexed);
    const theirs = storeBuilders(() => other);
    const dependents = async (p: string, id: string, maxDepth = 5) =>
      ((await reachable(indexed, [p + id], 'DOWNSTREAM', { maxDepth, summaries: true })).get(p + id) ?? []).map((h) => ({
        id: h.id.slice(p.length),
        depth: h.depth,
        kind: h.summary?.kind,
      }));

    test('loads the twin and answers walks from memory, without a dependency read of the store', async () => {
      const p = newPrefix();
      await mine.assets(p, [['ups', 'UPS'], ['pdu', 'PDU'], ['rack', 'Rack']]);
      await mine.relate(p, [['ups', 'FEEDS', 'pdu'], ['pdu', 'FEEDS', 'rack'], ['rack', 'CONTAINS', 'ups']]);
      storeReads.clear();
      expect(await dependents(p, 'ups')).toEqual([
        { id: 'pdu', depth: 1, kind: 'PDU' },
        { id: 'rack', depth: 2, kind: 'Rack' },
      ]);
      expect(index.status.state).toBe('ready');
      expect(Object.fromEntries(storeReads)).toEqual({});
    });

    test("another connection's writes show in the next read: new assets, relationships, deletions", async () => {
      const p = newPrefix();
      await mine.assets(p, [['ups', 'UPS'], ['pdu', 'PDU']]);
      await mine.relate(p, [['ups', 'FEEDS', 'pdu']]);
      expect(await dependents(p, 'ups')).toEqual([{ id: 'pdu', depth: 1, kind: 'PDU' }]);

      await theirs.assets(p, [['rack', 'Rack', 'Rack 1'], ['svc', 'Service']]);
      await theirs.relate(p, [['pdu', 'FEEDS', 'rack'], ['svc', 'RUNS_ON', 'rack']]);
      expect(await dependents(p, 'ups')).toEqual([
        { id: 'pdu', depth: 1, kind: 'PDU' },
        { id: 'rack', depth: 2, kind: 'Rack' },
        { id: 'svc', depth: 3, kind: 'Service' },
      ]);
      expect(await indexed.getAssetSummaries([p + 'rack'])).toEqual([{ id: p + 'rack', kind: 'Rack', name: 'Rack 1' }]);
      const ofRack = await indexed.relationshipsOf([p + 'rack'], 'BOTH');
      expect(ofRack.get(p + 'rack')!.map((r) => `${r.from.slice(p.length)} ${r.type} ${r.to.slice(p.length)}`)).toEqual(['pdu FEEDS rack', 'svc RUNS_ON rack']);

      await other.deleteAssets([p + 'rack']);
      expect(await dependents(p, 'ups')).toEqual([{ id: 'pdu', depth: 1, kind: 'PDU' }]);
      expect(await indexed.existingIds([p + 'rack', p + 'svc'])).toEqual(new Set([p + 'svc']));
      expect((await indexed.relationshipsOf([p + 'svc'], 'OUT')).get(p + 'svc')).toEqual([]);
      await other.unrelate([{ from: p + 'ups', type: 'FEEDS', to: p + 'pdu' }]);
      expect(await dependents(p, 'ups')).toEqual([]);
    });

    test('a change that commits after changes with larger ids (two writers at once) is not missed', async () => {
      const p = newPrefix();
      await mine.assets(p, [['ups', 'UPS'], ['pdu-a', 'PDU'], ['pdu-b', 'PDU']]);
      await mine.relate(p, [['ups', 'FEEDS', 'pdu-a']]);
      expect(await dependents(p, 'ups')).toEqual([{ id: 'pdu-a', depth: 1, kind: 'PDU' }]);
      // The other writer's clock reads 3 s earlier, as if its transaction had made its change's
      // id 3 s before committing: the id is older than the changes the index has applied.
      const realNow = Date.now.bind(Date);
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_000);
      try {
        await theirs.relate(p, [['ups', 'FEEDS', 'pdu-b']]);
      } finally {
        clock.mockRestore();
      }
      expect(await dependents(p, 'ups')).toEqual([
        { id: 'pdu-a', depth: 1, kind: 'PDU' },
        { id: 'pdu-b', depth: 1, kind: 'PDU' },
      ]);
    });

    test('dependency edges carry the properties they have now (redundancy groups for impact)', async () => {
      const p = newPrefix();
      await mine.assets(p, [['pdu', 'PDU'], ['rack', 'Rack']]);
      await mine.relate(p, [['pdu', 'FEEDS', 'rack', { redundancyGroup: 'power' }]]);
      const edges = async () => (await indexed.dependencyEdges([p + 'rack'], 'UPSTREAM')).map((e) => e.relationship.properties);
      expect(await edges()).toEqual([{ redundancyGroup: 'power' }]);
      await theirs.relate(p, [['pdu', 'FEEDS', 'rack', { redundancyGroup: 'feed-b', minLive: 2 }]]);
      expect(await edges()).toEqual([{ redundancyGroup: 'feed-b', minLive: 2 }]);
      expect(edgeKeys(p, await indexed.dependencyEdges([p + 'pdu'], 'DOWNSTREAM'))).toEqual(['pdu=>rack (pdu-FEEDS->rack)']);
    });

    test('loaded right after a bulk write, it serves from memory at once: the changes it already holds are not read again', async () => {
      const p = newPrefix();
      const racks = Array.from({ length: 12 }, (_, i): [string, string] => [`rack-${i}`, 'Rack']);
      await mine.assets(p, [['pdu', 'PDU'], ...racks]);
      await mine.relate(p, racks.map(([id]): [string, string, string] => ['pdu', 'FEEDS', id]));
      // More changes in the last settleMs than one catch-up may read (25 here, 5 allowed).
      const fresh = new TopologyIndex(counting, model, { maxAssets: 1_000_000, settleMs: SETTLE_MS, maxCatchUp: 5 });
      const served = withTopologyIndex(counting, fresh);
      await fresh.start();
      storeReads.clear();
      const walk = await reachable(served, [p + 'pdu'], 'DOWNSTREAM', { maxDepth: 2 });
      expect(walk.get(p + 'pdu')).toHaveLength(12);
      expect(fresh.status.state).toBe('ready');
      expect(Object.fromEntries(storeReads)).toEqual({});
      // A write after the load is still seen.
      await theirs.relate(p, [['rack-0', 'FEEDS', 'rack-1']]);
      expect((await reachable(served, [p + 'rack-0'], 'DOWNSTREAM', { maxDepth: 2 })).get(p + 'rack-0')!.map((h) => h.id)).toEqual([p + 'rack-1']);
      fresh.stop();
    });

    test('a twin larger than maxAssets is left to the store, with the same answers', async () => {
      const p = newPrefix();
      await mine.assets(p, [['ups', 'UPS'], ['pdu', 'PDU']]);
      await mine.relate(p, [['ups', 'FEEDS', 'pdu']]);
      const small = new TopologyIndex(inner, model, { maxAssets: 1, settleMs: SETTLE_MS });
      const limited = withTopologyIndex(inner, small);
      await small.start();
      expect(small.status).toMatchObject({ state: 'off', assets: 0, relationships: 0 });
      const walk = await reachable(limited, [p + 'ups'], 'DOWNSTREAM', { maxDepth: 3 });
      expect(walk.get(p + 'ups')!.map((h) => h.id)).toEqual([p + 'pdu']);
    });
  });
}
