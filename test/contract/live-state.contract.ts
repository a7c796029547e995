/**
 * The LiveStateStore contract: applyState (last writer wins per metric, STALE, DUPLICATE and
 * REJECTED reports, eventId retention, status, concurrency across batches and connections) and
 * the quarantine of rejected reports. The tests create their assets through the topology part
 * of the store first. Isolation and the model the store must be built with: contract-helpers.ts.
 */
import type { GraphStore } from '../../src/graph/graph-store';
import type { AssetRecord, RejectedReport, Scalar, StateApplied, StateWrite, StoredRejectedReport } from '../../src/graph/types';
import { closeStore, ISO_MS, newRun, openStore, sleep, storeBuilders, type StoreFactory } from './contract-helpers';

export function liveStateContract(name: string, makeStore: StoreFactory): void {
  describe(`LiveStateStore contract: ${name}`, () => {
    const { runId, newPrefix } = newRun();
    let store: GraphStore;

    beforeAll(async () => {
      store = await openStore(makeStore);
    });

    afterAll(() => closeStore(store, runId));

    const { idsWhere, assets } = storeBuilders(() => store);

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

      test('a DUPLICATE or REJECTED report does not renew its eventId: the window runs from when it was applied', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'Sensor']]);
        expect(outcomes(await store.applyState([report(p + 'a', 1, { x: 1 }, p + 'e1')], RETAIN))).toEqual(['ACCEPTED']);
        await sleep(300);
        const refused = await store.applyState([report(p + 'a', 2, { x: 2 }, p + 'e1'), report(p + 'ghost', 3, { x: 3 }, p + 'e1')], RETAIN);
        expect(outcomes(refused)).toEqual(['DUPLICATE', 'DUPLICATE']);
        expect(outcomes(await store.applyState([report(p + 'ghost', 3, { x: 3 }, p + 'e1')], { eventRetentionMs: 150 }))).toEqual(['REJECTED']);
        // Applied 300 ms ago, refused since: with a 150 ms retention it is forgotten (renewed, it would not be).
        expect(outcomes(await store.applyState([report(p + 'a', 4, { x: 4 }, p + 'e1')], { eventRetentionMs: 150 }))).toEqual(['ACCEPTED']);
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
        const [same] = (await store.upsertAssets([{ id: p + 'a', kind: 'Chiller', properties: { capacityKw: 300 } }])).assets;
        expect(same).toEqual(withState);
        // A real change moves the version and keeps the live state.
        const [changed] = (await store.upsertAssets([{ id: p + 'a', kind: 'Chiller', name: 'Chiller 1', properties: { capacityKw: 350 } }])).assets;
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
          if (k === N / 2) calls.push(store.upsertAssets([{ id: p + 'a', kind: 'Server', properties: { rackUnit: 12 } }]).then((w) => w.assets));
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
  });
}
