/**
 * The TopologyHistoryStore contract: every topology write appends what it changed, in its own
 * transaction, with before/after values; firstChangesSince (what asOf views are built from),
 * listTopologyChanges (filters, keyset pages) and pruneTopologyHistory. Entries are asserted only
 * through the test's own asset ids (the prefix), so other entries of a shared database do not
 * show; the prune test runs last and prunes only up to a moment inside this suite's run.
 */
import type { GraphStore } from '../../src/graph/graph-store';
import type { TopologyChangeEntry } from '../../src/graph/topology-log';
import { closeStore, newRun, openStore, sleep, type StoreFactory } from './contract-helpers';

export function topologyHistoryContract(name: string, makeStore: StoreFactory): void {
  describe(`TopologyHistoryStore contract: ${name}`, () => {
    const { runId, newPrefix } = newRun();
    let store: GraphStore;
    beforeAll(async () => {
      store = await openStore(makeStore);
    });
    afterAll(() => closeStore(store, runId));

    const changesOf = async (assetId: string) => (await store.listTopologyChanges({ assetId }, 100)).changes;
    const summary = (c: TopologyChangeEntry) => `${c.action} ${c.entity === 'ASSET' ? c.assetId : `${c.relationship.from}>${c.relationship.to}`}`;
    /**
     * A moment strictly between the changes before it and those after (changes are at millisecond
     * times): the clock moves past the last change, is read, and moves past the reading.
     */
    const moment = async () => {
      await sleep(3);
      const at = new Date().toISOString();
      await sleep(3);
      return at;
    };

    test('every write appends its changes with before and after; a failed or empty write appends none', async () => {
      const p = newPrefix();
      await store.upsertAssets([{ id: p + 'ups', kind: 'UPS', properties: { ratedKw: 100 } }, { id: p + 'pdu', kind: 'PDU' }]);
      await store.upsertAssets([{ id: p + 'ups', kind: 'UPS', properties: { ratedKw: 120 } }]);
      await store.upsertAssets([{ id: p + 'ups', kind: 'UPS', properties: { ratedKw: 120 } }]); // no change
      await store.relate([{ from: p + 'ups', type: 'FEEDS', to: p + 'pdu' }]);
      await store.relate([{ from: p + 'ups', type: 'FEEDS', to: p + 'pdu', properties: { cable: 'c1' } }, { from: p + 'ups', type: 'FEEDS', to: p + 'pdu', properties: { cable: 'c2' } }]);
      await expect(store.relate([{ from: p + 'ups', type: 'FEEDS', to: p + 'missing' }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await store.deleteAssets([p + 'pdu']);

      const log = await changesOf(p + 'ups');
      expect(log.map(summary)).toEqual([`DELETE ${p}ups>${p}pdu`, `UPDATE ${p}ups>${p}pdu`, `CREATE ${p}ups>${p}pdu`, `UPDATE ${p}ups`, `CREATE ${p}ups`]);
      const [removed, replaced, , updated, created] = log;
      expect(replaced).toMatchObject({ before: { properties: {} }, after: { properties: { cable: 'c2' } } }); // one entry for the batch, its last write
      expect(removed).toMatchObject({ before: { properties: { cable: 'c2' } }, after: null });
      expect(updated).toMatchObject({ before: { properties: { ratedKw: 100 }, version: 1 }, after: { properties: { ratedKw: 120 }, version: 2 } });
      expect(created).toMatchObject({ before: null, after: { id: p + 'ups', kind: 'UPS', version: 1 } });
      expect((await changesOf(p + 'pdu')).map(summary)).toEqual([`DELETE ${p}pdu`, `DELETE ${p}ups>${p}pdu`, `UPDATE ${p}ups>${p}pdu`, `CREATE ${p}ups>${p}pdu`, `CREATE ${p}pdu`]);
      for (const c of log) expect(Math.abs(Date.parse(c.at) - Date.now())).toBeLessThan(60_000);
    });

    test('firstChangesSince gives, per thing changed after the moment, its first change since: its before is how it was then', async () => {
      const p = newPrefix();
      await store.upsertAssets([{ id: p + 'a', kind: 'Rack', name: 'one' }, { id: p + 'b', kind: 'Rack' }]);
      const then = await moment();
      await store.upsertAssets([{ id: p + 'a', kind: 'Rack', name: 'two' }, { id: p + 'c', kind: 'Rack' }]);
      await store.upsertAssets([{ id: p + 'a', kind: 'Rack', name: 'three' }]);
      await store.relate([{ from: p + 'a', type: 'CONNECTS_TO', to: p + 'b' }]);
      const mine = (await store.firstChangesSince(then, 100_000)).filter((c) => (c.entity === 'ASSET' ? c.assetId : c.relationship.from).startsWith(p));
      expect(mine.map(summary)).toEqual([`UPDATE ${p}a`, `CREATE ${p}c`, `CREATE ${p}a>${p}b`]);
      expect(mine[0].before).toMatchObject({ name: 'one' });
      const ids = mine.map((c) => c.id);
      expect([...ids].sort()).toEqual(ids);
      // The limit bounds it.
      expect((await store.firstChangesSince(then, 2)).length).toBeLessThanOrEqual(2);
    });

    test('listTopologyChanges filters by window and pages newest first by id', async () => {
      const p = newPrefix();
      await store.upsertAssets([{ id: p + 'x', kind: 'Server', properties: { n: 0 } }]);
      const from = await moment();
      for (let n = 1; n <= 5; n++) await store.upsertAssets([{ id: p + 'x', kind: 'Server', properties: { n } }]);
      const to = await moment();
      await store.upsertAssets([{ id: p + 'x', kind: 'Server', properties: { n: 6 } }]);
      const inWindow = (await store.listTopologyChanges({ assetId: p + 'x', from, to }, 100)).changes;
      const n = (c: TopologyChangeEntry) => c.after?.properties.n;
      expect(inWindow.map(n)).toEqual([5, 4, 3, 2, 1]);
      const seen: unknown[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.listTopologyChanges({ assetId: p + 'x' }, 3, after);
        seen.push(...page.changes.map(n));
        if (!page.hasNextPage) break;
        after = page.changes.at(-1)!.id;
      }
      expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
    });

    test('topologyChangesAfter reads the log oldest first from an id, bounded; countTopologyChanges counts a range', async () => {
      const p = newPrefix();
      const before = (await store.listTopologyChanges({}, 1)).changes[0]?.id ?? '';
      await store.upsertAssets([{ id: p + 'ups', kind: 'UPS' }, { id: p + 'pdu', kind: 'PDU' }]);
      await store.relate([{ from: p + 'ups', type: 'FEEDS', to: p + 'pdu' }]);
      await store.deleteAssets([p + 'pdu']);
      // Other suites may write to a shared database meanwhile: keep this test's own changes.
      const own = (changes: TopologyChangeEntry[]) => changes.filter((c) => summary(c).includes(p));
      const all = own(await store.topologyChangesAfter(before, 1_000));
      expect(all.map(summary)).toEqual([`CREATE ${p}ups`, `CREATE ${p}pdu`, `CREATE ${p}ups>${p}pdu`, `DELETE ${p}ups>${p}pdu`, `DELETE ${p}pdu`]);
      expect(all.map((c) => c.id)).toEqual(all.map((c) => c.id).sort());
      const [first, second, third] = all;
      expect(own(await store.topologyChangesAfter(first.id, 1_000, third.id)).map((c) => c.id)).toEqual([second.id, third.id]);
      expect(await store.topologyChangesAfter(first.id, 1)).toHaveLength(1);
      expect(await store.countTopologyChanges(first.id, first.id)).toBe(0);
      expect(await store.countTopologyChanges(first.id, third.id)).toBeGreaterThanOrEqual(2);
      expect(await store.countTopologyChanges(all[4].id, '~')).toBe(await store.topologyChangesAfter(all[4].id, 1_000).then((c) => c.length));
    });

    test('pruneTopologyHistory removes what is older than the cut and moves the start of history to it', async () => {
      const p = newPrefix();
      await store.upsertAssets([{ id: p + 'old', kind: 'Rack' }]);
      const cut = await moment();
      await store.upsertAssets([{ id: p + 'new', kind: 'Rack' }]);
      expect(await store.topologyHistoryStart()).not.toBe(cut);
      expect(await store.pruneTopologyHistory(cut)).toBeGreaterThanOrEqual(1);
      expect(await changesOf(p + 'old')).toEqual([]);
      expect((await changesOf(p + 'new')).map(summary)).toEqual([`CREATE ${p}new`]);
      expect(await store.topologyHistoryStart()).toBe(cut);
      // An older cut neither removes more nor moves the start back.
      expect(await store.pruneTopologyHistory(new Date(Date.parse(cut) - 60_000).toISOString())).toBe(0);
      expect(await store.topologyHistoryStart()).toBe(cut);
    });
  });
}
