import { loadConfig } from '../../src/config';
import { openHistoryStore } from '../../src/history/create-history-store';
import { cleanUpApiProcesses, gql as gqlAt, startApi } from '../support/api-process';
import { startPostgresServer } from '../support/postgres-server';
import { STORE, storeEnv } from '../support/stores/test-store';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * State history through the API, on SQLite alone (history.sqlite beside the twin) and on Neo4j
 * with PostgreSQL history (the neo4j project): what is kept, pages, buckets, state at a moment,
 * and that an acknowledged report survives kill -9.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await s.gql(`mutation { upsertAssets(input: [{ id: "ups-1", kind: "UPS" }, { id: "ups-2", kind: "UPS" }]) { id } }`);
});
afterAll(async () => {
  await s.stop();
  cleanUpApiProcesses();
});

const REPORT = `mutation($r: [StateReport!]!) { reportState(input: $r) { accepted duplicate stale rejected } }`;
const HISTORY = `query($id: ID!, $metrics: [String!], $from: DateTime!, $to: DateTime, $first: Int, $after: String) {
  asset(id: $id) { history(metrics: $metrics, from: $from, to: $to, first: $first, after: $after) { nodes { metric observedAt value } pageInfo { hasNextPage endCursor } } } }`;
const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 10, 30, 12, minute, second)).toISOString();

async function report(records: Record<string, unknown>[]) {
  const res = await s.gql(REPORT, { r: records });
  expect(res.errors).toBeUndefined();
  return res.data.reportState;
}

async function history(id: string, vars: Record<string, unknown> = {}) {
  const res = await s.gql(HISTORY, { id, from: at(0), ...vars });
  expect(res.errors).toBeUndefined();
  return res.data.asset.history;
}

describe('what is kept', () => {
  it('keeps accepted and late (STALE) readings, a repeated key once, and not DUPLICATE or REJECTED reports', async () => {
    expect(await report([{ assetId: 'ups-1', observedAt: at(10), values: { loadKw: 10, status: 'UP' }, eventId: 'e-10' }])).toMatchObject({ accepted: 1 });
    // Late: STALE for the latest state, still a real reading.
    expect(await report([{ assetId: 'ups-1', observedAt: at(5), values: { loadKw: 5 } }])).toMatchObject({ stale: 1 });
    // The same key again (a retry without eventId), with another value: kept once, the first.
    expect(await report([{ assetId: 'ups-1', observedAt: at(5), values: { loadKw: 99 } }])).toMatchObject({ stale: 1 });
    // A repeated eventId is a DUPLICATE, whatever it says: not kept.
    expect(await report([{ assetId: 'ups-1', observedAt: at(11), values: { loadKw: 11 }, eventId: 'e-10' }])).toMatchObject({ duplicate: 1 });
    // Fails validation: not kept.
    expect(await report([{ assetId: 'ups-1', observedAt: at(12), values: { loadKw: -1 } }])).toMatchObject({ rejected: 1 });

    const page = await history('ups-1');
    expect(page.nodes).toEqual([
      { metric: 'loadKw', observedAt: at(5), value: 5 },
      { metric: 'loadKw', observedAt: at(10), value: 10 },
      { metric: 'status', observedAt: at(10), value: 'UP' },
    ]);
    // The latest state is as before history existed: the newest reading wins.
    expect((await s.gql(`{ asset(id: "ups-1") { state } }`)).data.asset.state).toEqual({ loadKw: 10, status: 'UP' });
  });
});

describe('queries', () => {
  beforeAll(async () => {
    // ups-2: loadKw every 30 s from 12:00 to 12:59:30 (1, 2, 3, …), status changes at 12:20 and 12:40.
    const records = Array.from({ length: 120 }, (_, i) => ({ assetId: 'ups-2', observedAt: at(Math.floor(i / 2), (i % 2) * 30), values: { loadKw: i + 1 } }));
    expect(await report(records)).toMatchObject({ accepted: 120 });
    await report([
      { assetId: 'ups-2', observedAt: at(20), values: { status: 'DEGRADED' } },
      { assetId: 'ups-2', observedAt: at(40), values: { status: 'DOWN' } },
    ]);
  });

  it('pages samples oldest first with keyset cursors, filtered by metric and window', async () => {
    const seen: { metric: string; observedAt: string; value: unknown }[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = await history('ups-2', { metrics: ['loadKw'], from: at(10), to: at(20), first: 7, after });
      seen.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3); // 20 samples, 7 a page
    expect(seen.map((n) => n.value)).toEqual(Array.from({ length: 20 }, (_, i) => 21 + i));
    expect(seen[0].observedAt).toBe(at(10));
    expect(seen.at(-1)!.observedAt).toBe(at(19, 30));

    const statuses = await history('ups-2', { metrics: ['status'] });
    expect(statuses.nodes.map((n: any) => n.value)).toEqual(['DEGRADED', 'DOWN']);
    const bad = await s.gql(HISTORY, { id: 'ups-2', from: at(0), after: 'bm90LWEtY3Vyc29y' });
    expect(bad.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('computes buckets in the database: numbers get avg/min/max, any type count/first/last; empty buckets are left out', async () => {
    const q = `query($metric: String!, $from: DateTime!, $to: DateTime, $every: Int!) { asset(id: "ups-2") { historyBuckets(metric: $metric, from: $from, to: $to, every: $every) { start count avg min max first last } } }`;
    const loads = (await s.gql(q, { metric: 'loadKw', from: at(0), to: at(30), every: 600 })).data.asset.historyBuckets;
    expect(loads).toEqual([
      { start: at(0), count: 20, avg: 10.5, min: 1, max: 20, first: 1, last: 20 },
      { start: at(10), count: 20, avg: 30.5, min: 21, max: 40, first: 21, last: 40 },
      { start: at(20), count: 20, avg: 50.5, min: 41, max: 60, first: 41, last: 60 },
    ]);
    // Without first and last (not looked for then), the same buckets; one request asks both ways.
    const both = (await s.gql(`query($from: DateTime!, $to: DateTime) { asset(id: "ups-2") {
      a: historyBuckets(metric: "loadKw", from: $from, to: $to, every: 600) { start count avg min max }
      b: historyBuckets(metric: "loadKw", from: $from, to: $to, every: 600) { start last } } }`, { from: at(0), to: at(30) })).data.asset;
    expect(both.a).toEqual(loads.map(({ first, last, ...rest }: any) => rest));
    expect(both.b).toEqual(loads.map(({ start, last }: any) => ({ start, last })));
    const statuses = (await s.gql(q, { metric: 'status', from: at(0), every: 900 })).data.asset.historyBuckets;
    expect(statuses).toEqual([
      { start: at(15), count: 1, avg: null, min: null, max: null, first: 'DEGRADED', last: 'DEGRADED' },
      { start: at(30), count: 1, avg: null, min: null, max: null, first: 'DOWN', last: 'DOWN' },
    ]);
    const tooMany = await s.gql(q, { metric: 'loadKw', from: at(0), to: at(30), every: 0 });
    expect(tooMany.errors![0]).toMatchObject({ message: 'every must be a whole number of seconds, at least 1, got 0', extensions: { code: 'BAD_USER_INPUT' } });
    const wide = await s.gql(q, { metric: 'loadKw', from: '2020-01-01T00:00:00Z', to: at(30), every: 1 });
    expect(wide.errors![0].message).toMatch(/at most 10000 \(HISTORY_MAX_BUCKETS\)/);
  });

  it('answers the state of an asset at a moment: the latest value of each metric at or before it', async () => {
    const q = `query($asOf: DateTime!) { asset(id: "ups-2") { stateAt(asOf: $asOf) } }`;
    expect((await s.gql(q, { asOf: at(30, 15) })).data.asset.stateAt).toEqual({ loadKw: 61, status: 'DEGRADED' });
    expect((await s.gql(q, { asOf: at(40) })).data.asset.stateAt).toEqual({ loadKw: 81, status: 'DOWN' });
    expect((await s.gql(q, { asOf: at(0) })).data.asset.stateAt).toEqual({ loadKw: 1 });
    expect((await s.gql(q, { asOf: '2026-01-01T00:00:00Z' })).data.asset.stateAt).toEqual({});
  });

  it('reports the history store in /readyz', async () => {
    const res = await fetch(s.url.replace(/\/graphql$/, '/readyz'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).checks).toMatchObject({ history: "ok" });
  });
});

describe('nothing accepted is lost', () => {
  it('an acknowledged report is in history after the API is killed with SIGKILL right after answering', async () => {
    const api = await startApi();
    await gqlAt(api.url, `mutation { upsertAssets(input: [{ id: "ups-k", kind: "UPS" }]) { id } }`);
    const records = Array.from({ length: 500 }, (_, i) => ({ assetId: 'ups-k', observedAt: new Date(Date.UTC(2026, 10, 30, 13, 0, 0, i)).toISOString(), values: { loadKw: i } }));
    const answer = await gqlAt(api.url, REPORT, { r: records });
    expect(answer.reportState.accepted).toBe(500);
    api.child.kill('SIGKILL');
    expect(await api.exited).toMatchObject({ signal: 'SIGKILL' });

    const again = await startApi({}, api);
    const page = await gqlAt(again.url, HISTORY, { id: 'ups-k', from: '2026-11-30T13:00:00Z', first: 500 });
    expect(page.asset.history.nodes).toHaveLength(500);
    expect(page.asset.history.nodes.at(-1)).toEqual({ metric: 'loadKw', observedAt: records[499].observedAt, value: 499 });
  });
});

describe('retention', () => {
  it('prunes observations older than the cut-off (whole days at once on PostgreSQL) and keeps the rest', async () => {
    const config = loadConfig({ DATA_DIR: s.app.services.config.dataDir, ...storeEnv() });
    const store = await openHistoryStore(config);
    try {
      const day = (d: number, h = 12) => new Date(Date.UTC(2026, 9, d, h)).toISOString();
      const fresh = await store.record([1, 2, 3].map((d) => ({ assetId: 'ups-r', metric: 'loadKw', observedAt: day(d), value: d })));
      expect(fresh).toHaveLength(3);
      expect(await store.record([{ assetId: 'ups-r', metric: 'loadKw', observedAt: day(1), value: 7 }])).toEqual([]);
      // Cut in the middle of day 2: day 1 goes whole, day 2 keeps what is after the cut.
      expect(await store.prune(day(2, 6))).toBe(1);
      const left = await store.samples({ assetId: 'ups-r', metrics: ['loadKw'], from: day(1, 0), limit: 10 });
      expect(left.map((x) => x.value)).toEqual([2, 3]);
      expect(await store.prune(day(2, 13))).toBe(1);
      expect((await store.samples({ assetId: 'ups-r', metrics: [], from: day(1, 0), limit: 10 })).map((x) => x.value)).toEqual([3]);
    } finally {
      await store.close();
    }
  });
});

describe('hourly rollups', () => {
  it('rolls up what retention removes; historyBuckets of whole hours use the rollups, late readings merged in', async () => {
    const config = loadConfig({ DATA_DIR: s.app.services.config.dataDir, ...storeEnv() });
    const store = await openHistoryStore(config);
    await s.gql(`mutation { upsertAssets(input: [{ id: "ups-h", kind: "UPS" }]) { id } }`);
    const t = (h: number, m = 0, day = 10) => new Date(Date.UTC(2026, 8, day, h, m)).toISOString();
    try {
      // ups-h, 10 September: loadKw every 10 minutes from 00:00 to 03:50 (whole numbers, so sums are exact), status twice;
      // and one reading late on 9 September (a whole day for PostgreSQL to drop).
      const load = Array.from({ length: 24 }, (_, i) => ({ assetId: 'ups-h', metric: 'loadKw', observedAt: t(Math.floor(i / 6), (i % 6) * 10), value: i }));
      const status = [
        { assetId: 'ups-h', metric: 'status', observedAt: t(0, 5), value: 'UP' },
        { assetId: 'ups-h', metric: 'status', observedAt: t(2, 30), value: 'DOWN' },
      ];
      await store.record([...load, ...status, { assetId: 'ups-h', metric: 'loadKw', observedAt: t(23, 30, 9), value: 7 }]);
      const q = { assetIds: ['ups-h'], metric: 'loadKw', from: t(0), to: t(4), everySeconds: 7200 };
      const two = await store.buckets(q);
      const hourly = await store.buckets({ ...q, everySeconds: 3600 });
      const statusBuckets = await store.buckets({ ...q, metric: 'status' });
      expect(two.get('ups-h')!.map((b) => b.count)).toEqual([12, 12]);

      // Everything before 03:00 goes, rolled up (19 loadKw, 2 status), rollups kept from 8 September on.
      expect(await store.prune(t(3), t(0, 0, 8))).toBe(21);
      expect(await store.samples({ assetId: 'ups-h', metrics: ['loadKw'], from: t(0), to: t(3), limit: 10 })).toEqual([]);
      expect(await store.buckets(q)).toEqual(two); // 00-02 from rollups; 02-04 half rollups, half raw
      expect(await store.buckets({ ...q, everySeconds: 3600 })).toEqual(hourly);
      expect(await store.buckets({ ...q, metric: 'status' })).toEqual(statusBuckets); // first/last of strings too
      expect((await store.buckets({ ...q, from: t(23, 0, 9), everySeconds: 3600 })).get('ups-h')![0]).toMatchObject({ start: t(23, 0, 9), count: 1, avg: 7, first: 7 });
      // Buckets that are not whole hours cannot use them: what was before 03:00 is gone for them.
      expect((await store.buckets({ ...q, everySeconds: 1800 })).get('ups-h')!.map((b) => b.start)).toEqual([t(3), t(3, 30)]);

      // Through the API, the same buckets.
      const api = await s.gql(`query($from: DateTime!, $to: DateTime) { asset(id: "ups-h") { historyBuckets(metric: "loadKw", from: $from, to: $to, every: 7200) { start count avg min max first last } } }`, { from: t(0), to: t(4) });
      expect(api.errors).toBeUndefined();
      expect(api.data.asset.historyBuckets).toEqual(two.get('ups-h'));

      // A late reading of a rolled-up hour is kept raw and merged into its bucket; the next prune rolls it into the hour.
      expect(await store.record([{ assetId: 'ups-h', metric: 'loadKw', observedAt: t(1, 5), value: 100 }])).toHaveLength(1);
      const merged = (await store.buckets(q)).get('ups-h')!;
      const [first] = two.get('ups-h')!;
      expect(merged[0]).toEqual({ ...first, count: 13, avg: (first.avg! * 12 + 100) / 13, max: 100 });
      expect(await store.prune(t(3), t(0, 0, 8))).toBe(1);
      expect((await store.buckets(q)).get('ups-h')!).toEqual(merged);

      // Rollups older than their own retention go too.
      await store.prune(t(3), t(2));
      expect((await store.buckets(q)).get('ups-h')!.map((b) => b.start)).toEqual([t(2)]);
    } finally {
      await store.close();
    }
  });
});

// Only PostgreSQL history can be down while the API runs (SQLite history is a file beside the twin's).
(STORE === 'neo4j' ? describe : describe.skip)('when the history database is down', () => {
  it('refuses reports with UNAVAILABLE and applies nothing of them, and /readyz names history', async () => {
    const postgres = await startPostgresServer();
    const api = await startTestServer({ env: { HISTORY_URL: postgres.url } });
    try {
      await api.gql(`mutation { upsertAssets(input: [{ id: "ups-d", kind: "UPS" }]) { id } }`);
      await postgres.stop();
      const res = await api.gql(REPORT, { r: [{ assetId: 'ups-d', observedAt: at(1), values: { loadKw: 3 } }] });
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
      // Not acknowledged, and not half-applied: the client's retry will be complete.
      expect((await api.gql(`{ asset(id: "ups-d") { state } }`)).data.asset.state).toEqual({});
      const ready = await fetch(api.url.replace(/\/graphql$/, '/readyz'));
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as any).failing).toContain('history');
    } finally {
      await api.stop();
      await postgres.stop();
    }
  });
});
