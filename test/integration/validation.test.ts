import { RUN_SCENARIO, waitForRun } from '../support/scenario-helpers';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Measuring the model against what was observed, on each store: LOAD with demand taken from
 * observed state, every observed asset's prediction error, and the run's fidelity.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  // ups → two PDUs in one redundancy group → a rack → three servers (loadKw 2, 3, 1).
  await ok(`mutation {
    upsertAssets(input: [
      { id: "ups-v", kind: "UPS", properties: { capacityKw: 100 } },
      { id: "pdu-v1", kind: "PDU", properties: { capacityKw: 50 } },
      { id: "pdu-v2", kind: "PDU", properties: { capacityKw: 50 } },
      { id: "rack-v", kind: "Rack", properties: { capacityKw: 20 } },
      { id: "srv-v1", kind: "Server", properties: { loadKw: 2 } },
      { id: "srv-v2", kind: "Server", properties: { loadKw: 3 } },
      { id: "srv-v3", kind: "Server", properties: { loadKw: 1 } } ]) { id }
    relate(input: [
      { from: "ups-v", type: "FEEDS", to: "pdu-v1" },
      { from: "ups-v", type: "FEEDS", to: "pdu-v2" },
      { from: "pdu-v1", type: "FEEDS", to: "rack-v", properties: { redundancyGroup: "power" } },
      { from: "pdu-v2", type: "FEEDS", to: "rack-v", properties: { redundancyGroup: "power" } },
      { from: "rack-v", type: "HOSTS", to: "srv-v1" },
      { from: "rack-v", type: "HOSTS", to: "srv-v2" },
      { from: "rack-v", type: "HOSTS", to: "srv-v3" } ]) { type } }`);
  // The moments come after the twin was built: a replay's asOf cannot be older than topology history.
  T1 = new Date(Date.now() + 10).toISOString();
  BETWEEN = new Date(Date.parse(T1) + 10).toISOString();
  T2 = new Date(Date.parse(T1) + 20).toISOString();
  // At T1: servers 1 and 2 draw 4 and 6 kW (server 3 reports nothing), the PDUs carry 5.5 and 4, the UPS 10.
  await report(T1, { 'srv-v1': { powerKw: 4 }, 'srv-v2': { powerKw: 6 }, 'pdu-v1': { loadKw: 5.5 }, 'pdu-v2': { loadKw: 4 }, 'ups-v': { loadKw: 10 } });
  // At T2, more.
  await report(T2, { 'srv-v1': { powerKw: 8 }, 'srv-v2': { powerKw: 8 }, 'pdu-v1': { loadKw: 8 }, 'pdu-v2': { loadKw: 8 }, 'ups-v': { loadKw: 16 } });
  while (Date.now() <= Date.parse(T2)) await new Promise((r) => setTimeout(r, 5));
});
afterAll(() => s.stop());

let T1: string;
let BETWEEN: string;
let T2: string;

async function ok(query: string, variables?: Record<string, unknown>) {
  const res = await s.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data;
}

async function report(observedAt: string, values: Record<string, Record<string, number>>) {
  const input = Object.entries(values).map(([assetId, v]) => ({ assetId, observedAt, values: v }));
  const { reportState } = await ok(`mutation($r: [StateReport!]!) { reportState(input: $r) { accepted } }`, { r: input });
  expect(reportState.accepted).toBe(input.length);
}

async function load(input: Record<string, unknown>) {
  const { runScenario } = await ok(RUN_SCENARIO, { input: { kind: 'LOAD', ...input } });
  const run = await waitForRun(s, runScenario.id);
  expect(run.status).toBe('SUCCEEDED');
  const { scenarioRun } = await ok(`query($id: ID!) { scenarioRun(id: $id) { results(first: 100) { nodes { assetId loadKw observedLoadKw errorKw } } } }`, { id: run.id });
  const results = Object.fromEntries(scenarioRun.results.nodes.map((n: any) => [n.assetId, n]));
  return { run, results };
}

const close = (x: number) => expect.closeTo(x, 9);

describe('LOAD against observed state', () => {
  it('takes demand from observed power (loadKw where none), splits it evenly over a redundant pair, and reports each error', async () => {
    const { run, results } = await load({ demand: 'OBSERVED', asOf: BETWEEN });
    // 4 + 6 observed + 1 fallback = 11 kW on the rack, 5.5 on each PDU, 11 on the UPS.
    expect(results['rack-v'].loadKw).toBeCloseTo(11, 9);
    expect(results['pdu-v1']).toEqual({ assetId: 'pdu-v1', loadKw: close(5.5), observedLoadKw: 5.5, errorKw: close(0) });
    expect(results['pdu-v2']).toEqual({ assetId: 'pdu-v2', loadKw: close(5.5), observedLoadKw: 4, errorKw: close(1.5) });
    expect(results['ups-v']).toEqual({ assetId: 'ups-v', loadKw: close(11), observedLoadKw: 10, errorKw: close(1) });
    // Racks and servers declare no load metric: nothing to compare.
    expect(results['rack-v'].observedLoadKw).toBeNull();
    expect(run.summary.demand).toBe('OBSERVED');
    expect(run.summary.demandSource).toMatchObject({ observed: 2, fallback: 1 });
    expect(run.summary.observedAt).toBe(BETWEEN);
    const f = run.summary.fidelity;
    expect(f.compared).toBe(3);
    expect(f.zeroObserved).toBe(0);
    expect(f.mape).toBeCloseTo((0 / 5.5 + 1.5 / 4 + 1 / 10) / 3, 9);
    expect(f.rmse).toBeCloseTo(Math.sqrt((0 + 1.5 ** 2 + 1 ** 2) / 3), 9);
    expect(f.maxAbsErrorKw).toBeCloseTo(1.5, 9);
    expect(f.worst[0]).toBe('pdu-v2');
  });

  it('with modeled demand, compares the loadKw model with what was observed', async () => {
    const { run, results } = await load({ asOf: BETWEEN });
    expect(run.summary.demand).toBe('MODELED');
    expect(results['pdu-v1']).toEqual({ assetId: 'pdu-v1', loadKw: close(3), observedLoadKw: 5.5, errorKw: close(-2.5) });
    expect(results['ups-v']).toEqual({ assetId: 'ups-v', loadKw: close(6), observedLoadKw: 10, errorKw: close(-4) });
    expect(run.summary.fidelity.mape).toBeCloseTo((2.5 / 5.5 + 1 / 4 + 4 / 10) / 3, 9);
  });

  it('reads the latest observations at the run\'s moment: without asOf, the newest', async () => {
    const { run, results } = await load({ demand: 'OBSERVED' });
    // 8 + 8 + 1 = 17: 8.5 per PDU (observed 8 each), 17 on the UPS (observed 16).
    expect(results['pdu-v2']).toMatchObject({ loadKw: close(8.5), observedLoadKw: 8, errorKw: close(0.5) });
    expect(results['ups-v']).toMatchObject({ observedLoadKw: 16, errorKw: close(1) });
    expect(run.summary.fidelity.compared).toBe(3);
    // Different observations, different input: the hash says so.
    const again = await load({ demand: 'OBSERVED', asOf: BETWEEN });
    expect(again.run.inputHash).not.toBe(run.inputHash);
  });

  it('refuses demand for a scenario that is not LOAD', async () => {
    const res = await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['pdu-v1'], demand: 'OBSERVED' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/input.demand: only applies to LOAD/);
  });
});

describe('CALIBRATE from observed status history', () => {
  const HOUR = 3_600_000;
  const w0 = Math.floor((Date.now() - 11 * HOUR) / HOUR) * HOUR;
  const at = (hours: number) => new Date(w0 + hours * HOUR).toISOString();

  it('gives time-weighted availability, failures, MTBF and MTTR per asset, and lists those it cannot calibrate', async () => {
    // pdu-v1: UP from before the window; DOWN 2–3 h, MAINTENANCE 5–6 h (out of the window), DOWN 8–8.5 h.
    // rack-v: DEGRADED (counts as up) from before the window. Nothing else reports a status.
    const timeline: [string, number, string][] = [
      ['pdu-v1', -1, 'UP'], ['pdu-v1', 2, 'DOWN'], ['pdu-v1', 3, 'UP'], ['pdu-v1', 5, 'MAINTENANCE'], ['pdu-v1', 6, 'UP'], ['pdu-v1', 8, 'DOWN'], ['pdu-v1', 8.5, 'UP'],
      ['rack-v', -2, 'DEGRADED'],
    ];
    for (const [assetId, h, status] of timeline) await report(at(h), { [assetId]: { status } as any });
    const { runScenario } = await ok(RUN_SCENARIO, { input: { kind: 'CALIBRATE', roots: ['rack-v'], maxDepth: 1, from: at(0), to: at(10) } });
    const run = await waitForRun(s, runScenario.id);
    expect(run.status).toBe('SUCCEEDED');
    const { scenarioRun } = await ok(`query($id: ID!) { scenarioRun(id: $id) { results(first: 100) { nodes { assetId availability availabilityLow availabilityHigh failures mtbfHours mttrHours } } } }`, { id: run.id });
    const results = Object.fromEntries(scenarioRun.results.nodes.map((n: any) => [n.assetId, n]));
    expect(Object.keys(results).sort()).toEqual(['pdu-v1', 'rack-v']);
    // Up 2 + 2 + 2 + 1.5 = 7.5 h, down 1 + 0.5 = 1.5 h; two failures, two repairs.
    expect(results['pdu-v1']).toMatchObject({ availability: close(7.5 / 9), failures: 2, mtbfHours: close(3.75), mttrHours: close(0.75) });
    expect(results['pdu-v1'].availabilityLow).toBeLessThan(7.5 / 9);
    expect(results['pdu-v1'].availabilityHigh).toBeGreaterThan(7.5 / 9);
    expect(results['rack-v']).toMatchObject({ availability: 1, availabilityHigh: 1, failures: 0, mtbfHours: null, mttrHours: null });
    expect(run.summary).toMatchObject({ calibrated: 2, notCalibratedCount: 4, from: at(0), to: at(10) });
    expect(run.summary.notCalibrated.map((n: any) => n.assetId).sort()).toEqual(['pdu-v2', 'srv-v1', 'srv-v2', 'srv-v3']);
  });

  it('refuses a window that is missing, backwards or not over yet', async () => {
    for (const [input, message] of [
      [{ kind: 'CALIBRATE' }, /needs the window/],
      [{ kind: 'CALIBRATE', from: at(5), to: at(1) }, /must be after/],
      [{ kind: 'CALIBRATE', from: at(0), to: new Date(Date.now() + 3_600_000).toISOString() }, /in the future/],
      [{ kind: 'LOAD', from: at(0), to: at(1) }, /only apply to CALIBRATE/],
    ] as const) {
      const res = await s.gql(RUN_SCENARIO, { input });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(message);
    }
  });
});

describe('governed parameters: applying and reverting a calibration', () => {
  const APPLY = `mutation($id: ID!) { applyCalibration(runId: $id) { runId changed skipped { assetId reason } } }`;
  const REVERT = `mutation($id: ID!) { revertCalibration(runId: $id) { runId changed skipped { assetId reason } } }`;
  const props = async () => (await ok(`{ assets(where: { id_in: ["pdu-v1", "rack-v"] }) { edges { node { id version properties } } } }`)).assets.edges.map((e: any) => e.node);

  it('writes the estimates as properties with the run they came from, and puts the exact previous ones back', async () => {
    const { scenarioRuns } = await ok(`{ scenarioRuns(first: 50) { nodes { id kind status } } }`);
    const run = scenarioRuns.nodes.find((r: any) => r.kind === 'CALIBRATE' && r.status === 'SUCCEEDED');
    const before = await props();
    const applied = (await ok(APPLY, { id: run.id })).applyCalibration;
    expect(applied.changed.sort()).toEqual(['pdu-v1', 'rack-v']);
    const [pdu, rack] = await props();
    expect(pdu.version).toBe(before[0].version + 1);
    expect(pdu.properties).toMatchObject({ capacityKw: 50, availability: close(7.5 / 9), mtbfHours: close(3.75), mttrHours: close(0.75), calibratedBy: run.id });
    expect(Date.parse(pdu.properties.calibratedAt)).toBeGreaterThan(Date.now() - 60_000);
    // No failure in the window: no MTBF estimate, so none written.
    expect(rack.properties).toEqual({ capacityKw: 20, availability: 1, calibratedBy: run.id, calibratedAt: pdu.properties.calibratedAt });
    // The write is in topology history like any other.
    const { topologyChanges } = await ok(`{ topologyChanges(assetId: "pdu-v1", first: 1) { nodes { action after } } }`);
    expect(topologyChanges.nodes[0]).toMatchObject({ action: 'UPDATE', after: { properties: { calibratedBy: run.id } } });

    const reverted = (await ok(REVERT, { id: run.id })).revertCalibration;
    expect(reverted.changed.sort()).toEqual(['pdu-v1', 'rack-v']);
    const after = await props();
    expect(after.map((a: any) => a.properties)).toEqual(before.map((a: any) => a.properties));
    expect(after[0].version).toBe(before[0].version + 2);

    // Reverting again: nothing is applied any more.
    const again = await s.gql(REVERT, { id: run.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toMatch(/not applied/);
  });

  it('refuses a run that is not a SUCCEEDED CALIBRATE run', async () => {
    const { runScenario } = await ok(RUN_SCENARIO, { input: { kind: 'LOAD' } });
    await waitForRun(s, runScenario.id);
    const res = await s.gql(APPLY, { id: runScenario.id });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/only a SUCCEEDED CALIBRATE run can be applied/);
    const missing = await s.gql(APPLY, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('drift: scheduled fidelity checks', () => {
  it('submits a LOAD check with observed demand on schedule; one over DRIFT_MAPE_THRESHOLD is modelDrift, in the metrics and in fidelityHistory', async () => {
    const d = await startTestServer({ sameStoreAs: s, env: { DRIFT_MAPE_THRESHOLD: '0.05', FIDELITY_CHECK_INTERVAL_SECONDS: '1' } });
    const client = createClient({ url: d.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const events = client.iterate<{ modelDrift: any }>({ query: `subscription { modelDrift { runId at demand compared mape rmse maxAbsErrorKw worst threshold drift } }` });
      const { value } = await events.next();
      const drift = value!.data!.modelDrift;
      // Observed demand 8 + 8 (+ 1 kW fallback) against 8 kW observed on each PDU and 16 on the UPS: 6.25% each.
      expect(drift).toMatchObject({ demand: 'OBSERVED', compared: 3, mape: close(1 / 16), threshold: 0.05, drift: true });
      expect(drift.worst).toContain('ups-v');
      const history = (await d.gql(`{ fidelityHistory(first: 10) { nodes { runId mape drift } } }`)).data.fidelityHistory.nodes;
      expect(history).toContainEqual({ runId: drift.runId, mape: close(1 / 16), drift: true });
      const metrics = parsePrometheusText(await (await fetch(d.url.replace(/\/graphql$/, '/metrics'))).text());
      expect(sampleValue(metrics, 'twin_model_fidelity_checks_total', { drift: 'true' })).toBeGreaterThanOrEqual(1);
      expect(sampleValue(metrics, 'twin_model_fidelity_mape')).toBeCloseTo(1 / 16, 9);
    } finally {
      await client.dispose();
      await d.stop();
    }
  });
});
