import { parsePrometheusText, sampleValue } from '../support/prometheus-text';
import { RUN_SCENARIO, runResults, runUpdatesUntilSucceeded, seedScenarioTwin, waitForRun } from '../support/scenario-helpers';
import { startTestServer, type TestServer } from '../support/test-server';

/** Scenarios end to end on the in-process runner (no Redis): submit, run, results, cancel. */

describe('scenarios (in-process runner)', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer({ env: { WORKER_CONCURRENCY: '1', SCENARIO_MAX_SAMPLES: '50000000' } });
    await seedScenarioTwin(s);
  });
  afterEach(() => s.stop());

  it('IMPACT writes the same outcome as Query.impact, as results linked to run and assets', async () => {
    const submitted = await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a', 'srv-1'] } });
    expect(submitted.errors).toBeUndefined();
    expect(submitted.data.runScenario).toMatchObject({ kind: 'IMPACT', status: 'QUEUED', progress: 0 });
    const run = await waitForRun(s, submitted.data.runScenario.id);
    expect(run).toMatchObject({ status: 'SUCCEEDED', progress: 1, summary: { down: 0, atRisk: 2 }, engineVersion: 'impact/1', modelVersion: expect.stringMatching(/^datacenter@/), attempts: 1 });
    expect(run.inputHash).toMatch(/^[0-9a-f]{64}$/);
    const query = await s.gql(`{ impact(failed: ["ups-a", "srv-1"]) { atRisk { asset { id } depth cause } } }`);
    const results = await runResults(s, run.id);
    expect(Object.keys(results).sort()).toEqual(query.data.impact.atRisk.map((e: any) => e.asset.id).sort());
    for (const e of query.data.impact.atRisk) expect(results[e.asset.id]).toMatchObject({ state: 'AT_RISK', depth: e.depth, cause: e.cause });
    const asset = await s.gql(`{ asset(id: "rack") { scenarioResults { state run { id } } } }`);
    expect(asset.data.asset.scenarioResults).toEqual([{ state: 'AT_RISK', run: { id: run.id } }]);
  });

  it('runs on the topology as it is when the run starts, changed since the last run or not', async () => {
    // The runner keeps an index of the topology between runs: a change made just before a run must be in it.
    const impactOf = async (input: Record<string, unknown>) => {
      const submitted = await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a'], ...input } });
      expect(submitted.errors).toBeUndefined();
      expect(await waitForRun(s, submitted.data.runScenario.id)).toMatchObject({ status: 'SUCCEEDED' });
      return Object.fromEntries(Object.entries(await runResults(s, submitted.data.runScenario.id)).map(([id, r]) => [id, r.state]));
    };
    const whole = {};
    const region = { roots: ['ups-a'], maxDepth: 3 };
    expect(await impactOf(whole)).toEqual({ rack: 'AT_RISK' });
    expect(await impactOf(region)).toEqual({ rack: 'AT_RISK' });
    // ups-b no longer feeds the rack, and ups-a now feeds a server of its own.
    const changed = await s.gql(`mutation { unrelate(input: [{ from: "ups-b", to: "rack", type: "FEEDS" }])
      upsertAssets(input: [{ id: "srv-4", kind: "Server" }]) { id } relate(input: [{ from: "ups-a", to: "srv-4", type: "FEEDS" }]) { type } }`);
    expect(changed.errors).toBeUndefined();
    const expected = { rack: 'DOWN', 'srv-1': 'DOWN', 'srv-2': 'DOWN', 'srv-3': 'DOWN', 'srv-4': 'DOWN', svc: 'DOWN' };
    const query = await s.gql(`{ impact(failed: ["ups-a"]) { down { asset { id } } } }`);
    expect(query.data.impact.down.map((e: any) => e.asset.id).sort()).toEqual(Object.keys(expected).sort());
    expect(await impactOf(whole)).toEqual(expected);
    expect(await impactOf(region)).toEqual(expected);
  });

  it('RELIABILITY estimates availability with a 95% interval around the closed form, reproducibly', async () => {
    const input = { kind: 'RELIABILITY', samples: 40000, seed: 7 };
    const [a, b] = await Promise.all([s.gql(RUN_SCENARIO, { input }), s.gql(RUN_SCENARIO, { input })]);
    const runA = await waitForRun(s, a.data.runScenario.id);
    const runB = await waitForRun(s, b.data.runScenario.id);
    expect(runA.status).toBe('SUCCEEDED');
    expect(runA.summary).toMatchObject({ samples: 40000, seed: 7 });
    expect(runA.inputHash).toBe(runB.inputHash);
    const results = await runResults(s, runA.id);
    expect(results).toEqual(await runResults(s, runB.id));
    // rack = feed · (1 − (1 − ups-a)(1 − ups-b)) · rack
    const rack = 0.999 * (1 - 0.01 * 0.02) * 0.999;
    expect(results.rack.availabilityLow).toBeLessThanOrEqual(rack);
    expect(results.rack.availabilityHigh).toBeGreaterThanOrEqual(rack);
    // The service needs 2 of 3 servers, each up with p = rack · 0.95 (they share the rack).
    const p = 0.95;
    const svc = rack * (p ** 3 + 3 * p * p * (1 - p));
    expect(results.svc.availabilityLow).toBeLessThanOrEqual(svc);
    expect(results.svc.availabilityHigh).toBeGreaterThanOrEqual(svc);
  });

  it('LOAD spreads demand with failover and flags overloads, with load factors', async () => {
    const submitted = await s.gql(RUN_SCENARIO, { input: { kind: 'LOAD', failed: ['ups-b'], loadFactors: [{ kind: 'Server', factor: 1.5 }] } });
    const run = await waitForRun(s, submitted.data.runScenario.id);
    expect(run.status).toBe('SUCCEEDED');
    const results = await runResults(s, run.id);
    // 3 servers × 2 kW × 1.5 = 9 kW on the rack, all on ups-a since ups-b failed.
    expect(results.rack.loadKw).toBeCloseTo(9);
    expect(results.rack.overloaded).toBe(true); // capacity 8
    expect(results['ups-a']).toMatchObject({ loadKw: expect.closeTo(9, 6), utilization: expect.closeTo(0.9, 6), overloaded: false });
    expect(results['ups-b'].state).toBe('DOWN');
  });

  it('refuses invalid scenarios before any run exists', async () => {
    const cases: [object, string, RegExp][] = [
      [{ kind: 'IMPACT', failed: ['nope'] }, 'NOT_FOUND', /"nope"/],
      [{ kind: 'IMPACT' }, 'BAD_USER_INPUT', /needs at least one failed asset/],
      [{ kind: 'RELIABILITY', samples: 60000000 }, 'BAD_USER_INPUT', /SCENARIO_MAX_SAMPLES/],
      [{ kind: 'IMPACT', failed: ['rack'], samples: 10 }, 'BAD_USER_INPUT', /only applies to RELIABILITY/],
      [{ kind: 'LOAD', loadFactors: [{ kind: 'Toaster', factor: 2 }] }, 'BAD_USER_INPUT', /unknown asset kind/],
      [{ kind: 'LOAD', loadFactors: [{ assetId: 'rack', kind: 'Rack', factor: 2 }] }, 'BAD_USER_INPUT', /exactly one of assetId and kind/],
      [{ kind: 'RELIABILITY', roots: ['rack'], maxDepth: 99 }, 'BAD_USER_INPUT', /MAX_TRAVERSAL_DEPTH/],
    ];
    for (const [input, code, message] of cases) {
      const res = await s.gql(RUN_SCENARIO, { input });
      expect(res.errors?.[0].extensions?.code).toBe(code);
      expect(res.errors?.[0].message).toMatch(message);
    }
    const runs = await s.gql(`{ scenarioRuns { nodes { id } } }`);
    expect(runs.data.scenarioRuns.nodes).toEqual([]);
  });

  it('returns the first run for a repeated idempotency key, and CONFLICT for a different scenario', async () => {
    const input = { kind: 'IMPACT', failed: ['ups-a'], idempotencyKey: 'drill-42' };
    const first = await s.gql(RUN_SCENARIO, { input });
    const again = await s.gql(RUN_SCENARIO, { input });
    expect(again.data.runScenario.id).toBe(first.data.runScenario.id);
    const other = await s.gql(RUN_SCENARIO, { input: { ...input, failed: ['ups-b'] } });
    expect(other.errors?.[0].extensions?.code).toBe('CONFLICT');
    await waitForRun(s, first.data.runScenario.id);
    const runs = await s.gql(`{ scenarioRuns { nodes { id } } }`);
    expect(runs.data.scenarioRuns.nodes).toHaveLength(1);
  });

  it('cancels a running and a queued run: both end CANCELLED without results', async () => {
    const long = { kind: 'RELIABILITY', samples: 50000000, seed: 1 };
    const running = (await s.gql(RUN_SCENARIO, { input: long })).data.runScenario;
    const queued = (await s.gql(RUN_SCENARIO, { input: long })).data.runScenario;
    await waitForRun(s, running.id, (r) => r.status === 'RUNNING' && r.progress > 0);
    const cancelQueued = await s.gql(`mutation($id: ID!) { cancelScenario(id: $id) { status } }`, { id: queued.id });
    expect(cancelQueued.data.cancelScenario.status).toBe('CANCELLED');
    const cancelRunning = await s.gql(`mutation($id: ID!) { cancelScenario(id: $id) { status } }`, { id: running.id });
    expect(cancelRunning.data.cancelScenario.status).toBe('CANCELLED');
    await new Promise((r) => setTimeout(r, 1500));
    for (const id of [running.id, queued.id]) {
      const run = await waitForRun(s, id);
      expect(run.status).toBe('CANCELLED');
      expect(await runResults(s, id)).toEqual({});
    }
    const twice = await s.gql(`mutation($id: ID!) { cancelScenario(id: $id) { status } }`, { id: running.id });
    expect(twice.data.cancelScenario.status).toBe('CANCELLED');
  });

  it('jobs run in a thread of their own: its run updates reach subscribers and its jobs the metrics', async () => {
    const jobs = async () => {
      const text = await (await fetch(`${new URL(s.url).origin}/metrics`)).text();
      return sampleValue(parsePrometheusText(text), 'twin_scenario_job_duration_seconds_count', { kind: 'RELIABILITY', status: 'SUCCEEDED' });
    };
    const before = await jobs();
    const run = (await s.gql(RUN_SCENARIO, { input: { kind: 'RELIABILITY', samples: 20000000, seed: 9 } })).data.runScenario;
    const seen = await runUpdatesUntilSucceeded(s, run.id);
    expect(seen.some((u) => u.status === 'RUNNING' && u.progress > 0 && u.progress < 1)).toBe(true);
    expect(seen.at(-1)).toEqual({ status: 'SUCCEEDED', progress: 1 });
    expect(await jobs()).toBe(before + 1);
  });

  it('compares two runs: assets whose outcome differs', async () => {
    const a = (await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a'] } })).data.runScenario;
    const b = (await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a', 'ups-b'] } })).data.runScenario;
    await waitForRun(s, a.id);
    await waitForRun(s, b.id);
    const res = await s.gql(`query($a: ID!, $b: ID!) { compareScenarios(a: $a, b: $b) { differences { asset { id } changes } } }`, { a: a.id, b: b.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.compareScenarios.differences).toEqual([
      { asset: { id: 'rack' }, changes: ['state: AT_RISK -> DOWN'] },
      { asset: { id: 'srv-1' }, changes: ['state: (none) -> DOWN'] },
      { asset: { id: 'srv-2' }, changes: ['state: (none) -> DOWN'] },
      { asset: { id: 'srv-3' }, changes: ['state: (none) -> DOWN'] },
      { asset: { id: 'svc' }, changes: ['state: (none) -> DOWN'] },
    ]);
  });
});
