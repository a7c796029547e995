/**
 * The ScenarioStore contract: scenario runs (createRun and idempotency keys, getRuns, updateRun
 * guarded by status, listRuns, deleteRun) and their simulation results (writeResults,
 * listResults, resultsForAssets). Results name assets, created through the topology part of the
 * store first. Isolation and the model the store must be built with: contract-helpers.ts.
 */
import { DomainError } from '../../src/errors';
import type { GraphStore } from '../../src/graph/graph-store';
import { NO_OUTCOME, type RunStatus, type ScenarioKind, type ScenarioRunRecord, type SimulationResultRecord } from '../../src/graph/scenario-types';
import { closeStore, newRun, openStore, storeBuilders, type StoreFactory } from './contract-helpers';

export function scenariosContract(name: string, makeStore: StoreFactory): void {
  describe(`ScenarioStore contract: ${name}`, () => {
    const { runId, newPrefix } = newRun();
    let store: GraphStore;

    beforeAll(async () => {
      store = await openStore(makeStore);
    });

    afterAll(() => closeStore(store, runId));

    const { assets } = storeBuilders(() => store);

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

      test('results for assets that do not exist are dropped, and results outlive their asset, marked deleted', async () => {
        const p = newPrefix();
        await assets(p, [['a', 'UPS'], ['b', 'PDU']]);
        const run = runRecord(p + 'run', { status: 'SUCCEEDED' });
        const ra = result(run.id, p + 'a', { state: 'DOWN', depth: 0 });
        const rb = result(run.id, p + 'b', { state: 'DOWN', depth: 1, cause: p + 'a' });
        // The twin changed since the snapshot: a result for a vanished asset is not an error.
        await runWithResults(run, [ra, result(run.id, p + 'ghost', { state: 'DOWN' }), rb]);
        expect(await store.listResults(run.id, 10)).toEqual({ results: [ra, rb], hasNextPage: false, totalCount: 2 });

        // A finished run keeps its results (its summary counts them) when an asset goes.
        await store.deleteAssets([p + 'a']);
        const kept = { results: [{ ...ra, assetDeleted: true }, rb], hasNextPage: false, totalCount: 2 };
        expect(await store.listResults(run.id, 10)).toEqual(kept);
        const byAsset = await store.resultsForAssets([p + 'a', p + 'b'], 5);
        expect(byAsset.get(p + 'a')).toEqual([]);
        expect(byAsset.get(p + 'b')).toEqual([rb]);

        // Re-creating the asset does not make the old results its own.
        await assets(p, [['a', 'UPS']]);
        expect((await store.resultsForAssets([p + 'a'], 5)).get(p + 'a')).toEqual([]);
        expect(await store.listResults(run.id, 10)).toEqual(kept);
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
  });
}
