import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../../src/config';
import { openHistoryStore } from '../../src/history/create-history-store';
import type { HistoryStore, Observation } from '../../src/history/history-store';
import { cleanUpApiProcesses, gql as gqlAt, startApi } from '../support/api-process';
import { startPostgresServer } from '../support/postgres-server';
import { historyUrl, STORE, storeEnv } from '../support/stores/test-store';
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

  it('two instances of one deployment: each records into and prunes days the other pruned or made, without errors', async () => {
    const config = loadConfig({ DATA_DIR: s.app.services.config.dataDir, ...storeEnv() });
    const [a, b] = [await openHistoryStore(config), await openHistoryStore(config)];
    try {
      const day = (d: number, h = 12) => new Date(Date.UTC(2026, 10, d, h)).toISOString();
      const obs = (d: number, h: number, value: number) => [{ assetId: 'ups-2i', metric: 'loadKw', observedAt: day(d, h), value }];
      const values = async () => (await a.samples({ assetId: 'ups-2i', metrics: [], from: day(1, 0), limit: 10 })).map((x) => x.value);
      await a.prune(day(1, 0)); // what earlier tests left
      // Both know day 1; a prunes it, then b prunes too and records into it again (its partition is gone).
      expect(await a.record(obs(1, 1, 1))).toHaveLength(1);
      expect(await b.record(obs(1, 2, 2))).toHaveLength(1);
      expect(await a.prune(day(2, 0))).toBe(2);
      expect(await b.prune(day(2, 0))).toBe(0);
      expect(await b.record(obs(1, 3, 3))).toHaveLength(1);
      expect(await values()).toEqual([3]);
      // a records into day 1 again, which b made; b makes day 2; a prunes both.
      expect(await a.record([...obs(1, 4, 4), ...obs(3, 1, 5)])).toHaveLength(2);
      expect(await b.record(obs(2, 1, 6))).toHaveLength(1);
      expect(await a.prune(day(3, 0))).toBe(3);
      expect(await values()).toEqual([5]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

/** Buckets computed here from the observations, to compare the store's with (numbers whole, so sums are exact). */
function reference(obs: Observation[], metric: string, from: string, to: string | undefined, every: number) {
  const buckets = new Map<number, Observation[]>();
  for (const o of [...obs].sort((x, y) => x.observedAt.localeCompare(y.observedAt))) {
    const at = Date.parse(o.observedAt);
    if (o.metric !== metric || at < Date.parse(from) || (to && at >= Date.parse(to))) continue;
    const start = Date.parse(from) + Math.floor((at - Date.parse(from)) / (every * 1000)) * every * 1000;
    buckets.set(start, [...(buckets.get(start) ?? []), o]);
  }
  return [...buckets.entries()].map(([start, list]) => {
    const nums = list.map((o) => o.value).filter((v): v is number => typeof v === 'number');
    return {
      start: new Date(start).toISOString(),
      count: list.length,
      avg: nums.length ? nums.reduce((x, y) => x + y, 0) / nums.length : null,
      min: nums.length ? Math.min(...nums) : null,
      max: nums.length ? Math.max(...nums) : null,
      first: list[0].value,
      last: list[list.length - 1].value,
    };
  });
}

describe('rollups', () => {
  const t = (h: number, m = 0, day = 10) => new Date(Date.UTC(2026, 8, day, h, m)).toISOString();
  // ups-h, 10 September: loadKw every 10 minutes from 00:00 to 03:50, status twice; and one
  // reading late on 9 September (a whole day for PostgreSQL to drop).
  const load = Array.from({ length: 24 }, (_, i) => ({ assetId: 'ups-h', metric: 'loadKw', observedAt: t(Math.floor(i / 6), (i % 6) * 10), value: i }));
  const status = [
    { assetId: 'ups-h', metric: 'status', observedAt: t(0, 5), value: 'UP' },
    { assetId: 'ups-h', metric: 'status', observedAt: t(2, 30), value: 'DOWN' },
  ];
  const late = { assetId: 'ups-h', metric: 'loadKw', observedAt: t(23, 30, 9), value: 7 };
  const all: Observation[] = [...load, ...status, late];
  // Whole quarters (rollups, raw data only after the last whole quarter before `to`), and not (raw data only).
  const windows = [
    { from: t(0), to: t(4), every: 7200 },
    { from: t(0), to: t(4), every: 3600 },
    { from: t(0), to: t(4), every: 900 },
    { from: t(0), to: t(3, 25), every: 1800 },
    { from: t(0), to: undefined, every: 2700 },
    { from: t(23, 0, 9), to: t(1), every: 3600 },
    { from: t(0), to: t(4), every: 600 },
    { from: t(0, 5), to: t(4), every: 1800 },
    { from: t(0, 5), to: t(3, 55), every: 900 },
  ];
  const bucketsOf = async (store: HistoryStore, metric: string, w: (typeof windows)[number]) =>
    (await store.buckets({ assetIds: ['ups-h'], metric, from: w.from, to: w.to, everySeconds: w.every })).get('ups-h');
  let store: HistoryStore;
  const open = async () => (store = await openHistoryStore(loadConfig({ DATA_DIR: s.app.services.config.dataDir, ...storeEnv() })));
  beforeAll(async () => {
    await s.gql(`mutation { upsertAssets(input: [{ id: "ups-h", kind: "UPS" }]) { id } }`);
    await open();
    expect(await store.record(all)).toHaveLength(all.length);
  });
  afterAll(() => store.close());

  it('answers every bucket query as computed from the observations, whole quarters or not, through the API too', async () => {
    for (const w of windows) {
      expect(await bucketsOf(store, 'loadKw', w)).toEqual(reference(all, 'loadKw', w.from, w.to, w.every));
      expect(await bucketsOf(store, 'status', w)).toEqual(reference(all, 'status', w.from, w.to, w.every)); // first/last of strings too
      // Without first and last (a query that does not select them), the rest is the same.
      const withoutEnds = (await store.buckets({ assetIds: ['ups-h'], metric: 'loadKw', from: w.from, to: w.to, everySeconds: w.every, ends: false })).get('ups-h');
      expect(withoutEnds).toEqual(reference(all, 'loadKw', w.from, w.to, w.every).map((b) => ({ ...b, first: null, last: null })));
    }
    const api = await s.gql(`query($from: DateTime!, $to: DateTime) { asset(id: "ups-h") { historyBuckets(metric: "loadKw", from: $from, to: $to, every: 1800) { start count avg min max first last } } }`, { from: t(0), to: t(3, 25) });
    expect(api.errors).toBeUndefined();
    expect(api.data.asset.historyBuckets).toEqual(reference(all, 'loadKw', t(0), t(3, 25), 1800));
  });

  it('merges a late reading into its quarter at once, a repeat adds nothing, and a forgotten one is taken out again', async () => {
    const w = windows[0];
    const before = await bucketsOf(store, 'loadKw', w);
    const spike = { assetId: 'ups-h', metric: 'loadKw', observedAt: t(1, 5), value: 100 };
    expect(await store.record([spike])).toHaveLength(1);
    expect(await store.record([{ ...spike, value: 5 }])).toEqual([]);
    expect(await bucketsOf(store, 'loadKw', w)).toEqual(reference([...all, spike], 'loadKw', w.from, w.to, w.every));
    // The spike was the bucket's max: forgetting it rebuilds the quarter from what is left.
    await store.forget([spike]);
    expect(await bucketsOf(store, 'loadKw', w)).toEqual(before);
  });

  it('builds the quarters of a store from before them when it opens, and reads the hourly rollups its retention wrote', async () => {
    // A store from before quarters: no quarters, and an hourly rollup of readings retention removed
    // (three on 8 September at 20:00: 5, 10, 15).
    await store.close();
    const hour = Date.UTC(2026, 8, 8, 20);
    const rollup = ['ups-h', 'loadKw', 3, 3, 30, 5, 15, '5', hour + 60_000, '15', hour + 1_800_000];
    if (STORE === 'sqlite') {
      const db = new Database(path.join(s.app.services.config.dataDir, 'history.sqlite'));
      db.exec('DROP TABLE observation_quarters');
      db.prepare('INSERT INTO observation_rollups (asset_id, metric, n, num_n, num_sum, num_min, num_max, first, first_at, last, last_at, hour) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...rollup, hour);
      db.close();
    } else {
      const client = new pg.Client({ connectionString: historyUrl() });
      await client.connect();
      await client.query('DROP TABLE twin_observations_quarters');
      await client.query(
        'INSERT INTO twin_observations_hourly (asset_id, metric, n, num_n, num_sum, num_min, num_max, first, first_at, last, last_at, hour) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9 / 1000.0), $10, to_timestamp($11 / 1000.0), to_timestamp($12 / 1000.0))',
        [...rollup, hour],
      );
      await client.end();
    }
    await open();
    for (const w of windows) expect(await bucketsOf(store, 'loadKw', w)).toEqual(reference(all, 'loadKw', w.from, w.to, w.every));
    const evening = { from: t(18, 0, 8), to: t(0, 0, 9), every: 7200 };
    expect(await bucketsOf(store, 'loadKw', evening)).toEqual([{ start: t(20, 0, 8), count: 3, avg: 10, min: 5, max: 15, first: 5, last: 15 }]);
    // Buckets of less than an hour cannot split it.
    expect(await bucketsOf(store, 'loadKw', { ...evening, every: 1800 })).toEqual([]);
  });

  it('keeps the quarters after retention removes raw observations, for HISTORY_ROLLUP_RETENTION_DAYS', async () => {
    const kept = await Promise.all(windows.map((w) => bucketsOf(store, 'loadKw', w)));
    // Everything before 03:00 goes (19 loadKw, 2 status), rollups kept from 8 September on.
    expect(await store.prune(t(3), t(0, 0, 8))).toBe(21);
    expect(await store.samples({ assetId: 'ups-h', metrics: ['loadKw'], from: t(0), to: t(3), limit: 10 })).toEqual([]);
    // Buckets that are not whole quarters cannot use them: what was before 03:00 is gone for them.
    // From 00:05, buckets use the quarters inside one bucket (in half hours 00:15, 00:45, …: the
    // readings at 00:20, 00:50, …), not those a boundary cuts (in 15-minute buckets, every one).
    const inWholeQuarter = (o: Observation, w: (typeof windows)[number]) => {
      const quarter = Math.floor(Date.parse(o.observedAt) / 900_000) * 900_000;
      const offset = (quarter - Date.parse(w.from)) % (w.every * 1000);
      return w.every % 900 === 0 && quarter >= Date.parse(w.from) && offset + 900_000 <= w.every * 1000;
    };
    for (const [i, w] of windows.entries()) {
      const left = all.filter((o) => o.observedAt >= t(3) || inWholeQuarter(o, w));
      const allWhole = w.every % 900 === 0 && Date.parse(w.from) % 900_000 === 0; // then it answers as before
      expect(await bucketsOf(store, 'loadKw', w)).toEqual(allWhole ? kept[i] : reference(left, 'loadKw', w.from, w.to, w.every));
    }
    // Rollups older than their own retention go too.
    await store.prune(t(3), t(2));
    expect((await bucketsOf(store, 'loadKw', windows[0]))!.map((b) => b.start)).toEqual([t(2)]);
    // Without rollup retention, quarters go with the raw observations.
    await store.prune(t(3, 30));
    expect(await bucketsOf(store, 'loadKw', windows[1])).toEqual(reference(all.filter((o) => o.observedAt >= t(3, 30)), 'loadKw', t(0), t(4), 3600));
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
