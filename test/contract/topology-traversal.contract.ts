/**
 * The TopologyStore contract, part 2: relationshipsOf, dependencyEdges / dependencyNeighbours(Within),
 * and the traversals of src/graph/traversal.ts and the impact cascade built on them, which are
 * written once over the port and so must behave the same on every store. Part 1 (assets,
 * relate / unrelate) is topology.contract.ts. Isolation and the model the store must be built
 * with: contract-helpers.ts.
 */
import type { GraphStore } from '../../src/graph/graph-store';
import { loadImpactEdges, reachable, shortestPath } from '../../src/graph/traversal';
import { computeImpact } from '../../src/sim/impact';
import { closeStore, edgeKeys, newRun, openStore, relKeys, storeBuilders, type StoreFactory } from './contract-helpers';

/**
 * `bringsSummaries`: whether dependencyNeighboursWithin brings the summaries of what it reaches
 * (Neo4j has the nodes in hand; the topology index holds them; SQLite's level-by-level walk
 * does not read them).
 */
export function topologyTraversalContract(name: string, makeStore: StoreFactory, { bringsSummaries }: { bringsSummaries: boolean }): void {
  describe(`TopologyStore contract (relationships and traversals): ${name}`, () => {
    const { runId, newPrefix } = newRun();
    let store: GraphStore;

    beforeAll(async () => {
      store = await openStore(makeStore);
    });

    afterAll(() => closeStore(store, runId));

    const { assets, relate } = storeBuilders(() => store);

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

      test('without properties: the same relationships, their properties left empty', async () => {
        const full = await store.relationshipsOf([p + 'a', p + 'b'], 'BOTH');
        const bare = await store.relationshipsOf([p + 'a', p + 'b'], 'BOTH', undefined, { properties: false });
        for (const id of [p + 'a', p + 'b']) {
          expect(bare.get(id)).toEqual(full.get(id)!.map((r) => ({ ...r, properties: {} })));
        }
        expect(full.get(p + 'b')!.some((r) => Object.keys(r.properties).length > 0)).toBe(true);
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

      test('dependencyNeighboursWithin gives in one call every pair a walk of that depth reads', async () => {
        const pairs = async (ids: string[], side: 'UPSTREAM' | 'DOWNSTREAM', depth: number, types?: string[]) => [
          ...new Set((await store.dependencyNeighboursWithin(ids.map((id) => p + id), side, depth, types)).pairs.map(([near, far]) => `${near.slice(p.length)}>${far.slice(p.length)}`)),
        ].sort();
        expect(await pairs(['u'], 'DOWNSTREAM', 1)).toEqual(['u>pdu2', 'u>ups']);
        // Assets at distance 0, 1 and 2 (u; ups, pdu2; pdu, rack) with their consumers.
        expect(await pairs(['u'], 'DOWNSTREAM', 3)).toEqual(['pdu2>rack', 'pdu>rack', 'rack>srv', 'u>pdu2', 'u>ups', 'ups>pdu']);
        expect(await pairs(['u'], 'DOWNSTREAM', 10)).toEqual(['pdu2>rack', 'pdu>rack', 'rack>srv', 'srv>app', 'u>pdu2', 'u>ups', 'ups>pdu']);
        expect(await pairs(['app'], 'UPSTREAM', 2)).toEqual(['app>srv', 'srv>rack']);
        expect(await pairs(['rack', 'srv'], 'DOWNSTREAM', 5, ['DEPENDS_ON'])).toEqual(['rack>srv']);
        expect(await pairs(['room'], 'DOWNSTREAM', 5, ['CONTAINS'])).toEqual([]);
        expect(await pairs(['u'], 'DOWNSTREAM', 0)).toEqual([]);
        expect(await pairs([], 'UPSTREAM', 4)).toEqual([]);
      });

      test('dependencyNeighboursWithin summaries, when a store brings them, are those of the assets reached', async () => {
        const walk = await store.dependencyNeighboursWithin([p + 'u'], 'DOWNSTREAM', 10, undefined, { summaries: true });
        const fars = [...new Set(walk.pairs.map(([, far]) => far))].sort();
        expect(walk.summaries !== undefined).toBe(bringsSummaries);
        if (walk.summaries) {
          expect([...walk.summaries.keys()].sort()).toEqual(fars);
          expect(fars.map((id) => walk.summaries!.get(id))).toEqual(await store.getAssetSummaries(fars));
        }
        // Without asking, no store brings them.
        expect((await store.dependencyNeighboursWithin([p + 'u'], 'DOWNSTREAM', 10)).summaries).toBeUndefined();
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
  });
}
