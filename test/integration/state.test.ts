import { startTestServer, type TestServer } from '../support/test-server';

/** Live state over GraphQL: ordering, duplicates, rejections, quarantine, freshness. */

const REPORT = `mutation($input: [StateReport!]!) { reportState(input: $input) {
  accepted duplicate stale rejected results { index assetId outcome reason } } }`;
const ASSET = `query($id: ID!) { asset(id: $id) { state stateObservedAt status version freshness stale } }`;

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

describe('reportState', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
    await s.gql(`mutation { upsertAssets(input: [
      { id: "rack-1", kind: "Rack" }, { id: "ups-1", kind: "UPS" }, { id: "dc", kind: "Site" }]) { id } }`);
  });
  afterEach(() => s.stop());

  it('keeps the newest value per metric whatever order reports arrive in', async () => {
    const [t5, t7, t10] = [at(5), at(7), at(10)];
    const res = await s.gql(REPORT, {
      input: [
        { assetId: 'rack-1', observedAt: t5, values: { inletTempC: 25, powerKw: 4 } },
        { assetId: 'rack-1', observedAt: t10, values: { inletTempC: 21, powerKw: 3 } }, // older: STALE
        { assetId: 'rack-1', observedAt: t7, values: { inletTempC: 22, humidityPct: 40 } }, // only humidity moves
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.reportState).toMatchObject({ accepted: 2, stale: 1, duplicate: 0, rejected: 0 });
    expect(res.data.reportState.results.map((r: any) => r.outcome)).toEqual(['ACCEPTED', 'STALE', 'ACCEPTED']);
    const asset = (await s.gql(ASSET, { id: 'rack-1' })).data.asset;
    expect(asset.state).toEqual({ inletTempC: 25, powerKw: 4, humidityPct: 40 });
    expect(asset.stateObservedAt).toEqual({ inletTempC: t5, powerKw: t5, humidityPct: t7 });
    expect(asset.version).toBe(3);
    expect(asset.freshness).toBeGreaterThanOrEqual(299);
    expect(asset.freshness).toBeLessThan(330);
  });

  it('answers a repeated eventId with DUPLICATE, within and across batches', async () => {
    const report = { assetId: 'ups-1', observedAt: at(1), values: { loadKw: 120 }, eventId: 'evt-1' };
    const first = await s.gql(REPORT, { input: [report, { ...report, observedAt: at(0) }] });
    expect(first.data.reportState.results.map((r: any) => r.outcome)).toEqual(['ACCEPTED', 'DUPLICATE']);
    const again = await s.gql(REPORT, { input: [{ ...report, values: { loadKw: 999 }, observedAt: at(0) }] });
    expect(again.data.reportState).toMatchObject({ duplicate: 1, accepted: 0 });
    expect((await s.gql(ASSET, { id: 'ups-1' })).data.asset.state).toEqual({ loadKw: 120 });
  });

  it('rejects bad records with a reason, one by one, and keeps the good ones', async () => {
    const res = await s.gql(REPORT, {
      input: [
        { assetId: 'ghost', observedAt: at(1), values: { loadKw: 1 } },
        { assetId: 'ups-1', observedAt: 'yesterday', values: { loadKw: 1 } },
        { assetId: 'ups-1', observedAt: new Date(Date.now() + 3_600_000).toISOString(), values: { loadKw: 1 } },
        { assetId: 'ups-1', observedAt: at(1), values: { batteryPct: 140 } },
        { assetId: 'ups-1', observedAt: at(1), values: { flux: 3 } },
        { assetId: 'ups-1', observedAt: at(1), values: { onBattery: 'no' } },
        { assetId: 'ups-1', observedAt: at(1), values: { status: 'ON_FIRE' } },
        { assetId: 'ups-1', observedAt: at(1), values: { nested: { a: 1 } } },
        { assetId: 'ups-1', observedAt: at(1), values: { batteryPct: 97, status: 'UP' } },
      ],
    });
    const results = res.data.reportState.results;
    expect(res.data.reportState).toMatchObject({ accepted: 1, rejected: 8 });
    expect(results.map((r: any) => r.outcome)).toEqual([...Array(8).fill('REJECTED'), 'ACCEPTED']);
    expect(results[0].reason).toMatch(/unknown asset "ghost"/);
    expect(results[1].reason).toMatch(/observedAt "yesterday" is not an ISO-8601/);
    expect(results[2].reason).toMatch(/in the future/);
    expect(results[3].reason).toMatch(/batteryPct: 140 % is above the maximum 100 %/);
    expect(results[4].reason).toMatch(/metric flux is not defined for kind UPS/);
    expect(results[5].reason).toMatch(/onBattery: expected a boolean/);
    expect(results[6].reason).toMatch(/"ON_FIRE" is not one of UP, DOWN/);
    expect(results[7].reason).toMatch(/nested: value must be/);
    const asset = (await s.gql(ASSET, { id: 'ups-1' })).data.asset;
    expect(asset).toMatchObject({ state: { batteryPct: 97, status: 'UP' }, status: 'UP' });
  });

  it('keeps rejected reports in a bounded quarantine, newest first, paged', async () => {
    await s.stop();
    s = await startTestServer({ env: { QUARANTINE_MAX: '3' } });
    for (const n of [1, 2, 3, 4, 5]) {
      await s.gql(REPORT, { input: [{ assetId: `ghost-${n}`, observedAt: at(1), values: { x: n } }] });
    }
    const page = `query($after: String) { rejectedReports(first: 2, after: $after) {
      nodes { id assetId reason receivedAt record } pageInfo { hasNextPage endCursor } } }`;
    const first = (await s.gql(page)).data.rejectedReports;
    expect(first.nodes.map((n: any) => n.assetId)).toEqual(['ghost-5', 'ghost-4']);
    expect(first.nodes[0]).toMatchObject({ reason: 'unknown asset "ghost-5"', record: { assetId: 'ghost-5', values: { x: 5 } } });
    const second = (await s.gql(page, { after: first.pageInfo.endCursor })).data.rejectedReports;
    expect(second.nodes.map((n: any) => n.assetId)).toEqual(['ghost-3']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const stats = (await s.gql(`{ stateIngestStats { accepted rejected } }`)).data.stateIngestStats;
    expect(stats).toEqual({ accepted: 0, rejected: 5 });
  });

  it('derives status and staleness: UNKNOWN and stale before any report, fresh after', async () => {
    const before = (await s.gql(ASSET, { id: 'rack-1' })).data.asset;
    expect(before).toMatchObject({ status: 'UNKNOWN', stale: true, freshness: null, state: {} });
    const site = (await s.gql(ASSET, { id: 'dc' })).data.asset;
    expect(site.stale).toBe(false); // Site declares no expected interval
    await s.gql(REPORT, { input: [{ assetId: 'rack-1', observedAt: at(0), values: { status: 'DEGRADED' } }] });
    expect((await s.gql(ASSET, { id: 'rack-1' })).data.asset).toMatchObject({ status: 'DEGRADED', stale: false });
    // Rack expects a report every 60 s; STALE_FACTOR 3 makes a 4-minute-old report stale.
    await s.gql(`mutation { upsertAssets(input: [{ id: "rack-2", kind: "Rack" }]) { id } }`);
    await s.gql(REPORT, { input: [{ assetId: 'rack-2', observedAt: at(4), values: { powerKw: 2 } }] });
    expect((await s.gql(ASSET, { id: 'rack-2' })).data.asset.stale).toBe(true);
  });

  it('stays correct under concurrent reports for the same asset', async () => {
    const base = Date.now() - 60_000;
    const reports = Array.from({ length: 40 }, (_, i) => ({ assetId: 'rack-1', observedAt: new Date(base + i * 1000).toISOString(), values: { powerKw: i } }));
    const shuffled = [...reports].sort(() => Math.random() - 0.5);
    const outcomes = await Promise.all(shuffled.map((r) => s.gql(REPORT, { input: [r] })));
    const accepted = outcomes.filter((o) => o.data.reportState.accepted === 1).length;
    const asset = (await s.gql(ASSET, { id: 'rack-1' })).data.asset;
    expect(asset.state.powerKw).toBe(39);
    expect(asset.version).toBe(1 + accepted);
  });
});
