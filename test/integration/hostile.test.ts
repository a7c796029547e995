import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanUpApiProcesses, startApi } from '../support/api-process';
import { RUN_SCENARIO, runResults, seedScenarioTwin, waitForRun } from '../support/scenario-helpers';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * A hostile client: oversized lists, impossible dates, malformed bodies, operations sent where
 * they are not served. Each is refused before any work, with a small, clean JSON error naming
 * the limit, and nothing is written.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { MAX_QUERY_DEPTH: '6' } });
  await s.gql(`mutation { upsertAssets(input: [{ id: "rack-1", kind: "Rack", properties: { row: 1 } }]) { id } }`);
});
afterAll(() => s.stop());

const post = async (body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
const codeOf = (res: { errors?: { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.code;

describe('lists are bounded before any work', () => {
  it('refuses an `in` filter over MAX_LIST_ITEMS (default 1000), naming the limit', async () => {
    const values = Array.from({ length: 1001 }, (_, i) => i);
    const res = await s.gql(`query($v: [JSON!]) { assets(where: { properties: [{ key: "row", in: $v }] }, first: 1) { totalCount } }`, { v: values });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/where\.properties\[0\]\.in has 1001 items; at most 1000 \(MAX_LIST_ITEMS\)/);
    // At the limit it answers.
    const ok = await s.gql(`query($v: [JSON!]) { assets(where: { properties: [{ key: "row", in: $v }] }, first: 1) { totalCount } }`, { v: values.slice(0, 1000) });
    expect(ok.data.assets.totalCount).toBe(1);
  });

  it('refuses more property filters than MAX_PROPERTY_FILTERS instead of failing inside the store', async () => {
    const filters = Array.from({ length: 1000 }, () => ({ key: 'row', eq: 1 }));
    const res = await s.gql(`query($f: [PropertyFilter!]) { assets(where: { properties: $f }) { totalCount } }`, { f: filters });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/MAX_PROPERTY_FILTERS/);
  });

  it('bounds impact(failed) and keeps the error about unknown ids small', async () => {
    const tooMany = await s.gql(`query($f: [ID!]!) { impact(failed: $f) { failed } }`, { f: Array.from({ length: 1001 }, (_, i) => `ghost-${i}`) });
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toMatch(/failed has 1001 items; at most 1000 \(MAX_LIST_ITEMS\)/);

    const unknown = await s.gql(`query($f: [ID!]!) { impact(failed: $f) { failed } }`, { f: ['rack-1', ...Array.from({ length: 500 }, (_, i) => `ghost-${i}`)] });
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    expect(unknown.errors![0].message).toBe('failed: no asset with id "ghost-0", "ghost-1", "ghost-2", "ghost-3", "ghost-4" and 495 more');
    expect(JSON.stringify(unknown).length).toBeLessThan(1000);
  });
});

describe('errors are always clean JSON', () => {
  it('answers a malformed JSON body with a GraphQL-shaped 400, no stack, no HTML', async () => {
    const res = await post('{"query": "{ model { name } ');
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/application\/json/);
    expect(JSON.parse(res.text)).toEqual({ errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    expect(res.text).not.toMatch(/node_modules|at \w+ \(|<html/i);
  });

  it('answers a body over the limit with a JSON 413', async () => {
    const res = await post(JSON.stringify({ query: '{ model { name } }', variables: { pad: 'x'.repeat(6 * 1024 * 1024) } }));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({ errors: [{ message: 'the request body is larger than 5mb', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('refuses a subscription sent over HTTP with BAD_REQUEST, saying where subscriptions are served', async () => {
    const res = await post(JSON.stringify({ query: 'subscription { topologyChanged { change } }' }));
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text);
    expect(codeOf(body)).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toMatch(/WebSocket/);
  });

  it('names the query limit that refused a query, without calling it a syntax error', async () => {
    const res = await s.gql(`{ asset(id: "rack-1") { relationships { from { relationships { from { relationships { from { id } } } } } } } }`);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/^Query depth limit of 6 exceeded, found \d+\. \(the server's MAX_QUERY_DEPTH\)$/);
  });
});

describe('state reports', () => {
  it('rejects a date that does not exist instead of rolling it over, and stores nothing', async () => {
    const res = await s.gql(`mutation($r: [StateReport!]!) { reportState(input: $r) { rejected results { outcome reason } } }`, {
      r: [
        { assetId: 'rack-1', observedAt: '2026-02-30T00:00:00Z', values: { powerKw: 3 } },
        { assetId: 'rack-1', observedAt: '2026-01-01T24:00:00Z', values: { powerKw: 4 } },
      ],
    });
    expect(res.data.reportState.rejected).toBe(2);
    expect(res.data.reportState.results[0]).toEqual({ outcome: 'REJECTED', reason: 'observedAt "2026-02-30T00:00:00Z" names a date or time that does not exist' });
    expect((await s.gql(`{ asset(id: "rack-1") { state } }`)).data.asset.state).toEqual({});
  });
});

describe('scenario history', () => {
  it('keeps the results of a finished run when their assets are deleted, reporting them as deleted', async () => {
    await seedScenarioTwin(s);
    const submitted = await s.gql(RUN_SCENARIO, { input: { kind: 'IMPACT', failed: ['ups-a', 'ups-b'] } });
    const run = await waitForRun(s, submitted.data.runScenario.id);
    expect(run.status).toBe('SUCCEEDED');
    const before = await runResults(s, run.id);
    expect(before['srv-2']).toMatchObject({ asset: { id: 'srv-2' }, assetDeleted: false, state: 'DOWN' });

    expect((await s.gql(`mutation { deleteAssets(ids: ["srv-2"]) }`)).data.deleteAssets).toBe(1);
    const after = await runResults(s, run.id);
    // Every result is still there, the deleted asset's with its outcome, as the summary counts it.
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(after['srv-2']).toEqual({ ...before['srv-2'], asset: null, assetDeleted: true });
    expect((await waitForRun(s, run.id)).summary).toEqual(run.summary);

    // An asset created again under that id is another asset: the old result stays the deleted one's.
    await s.gql(`mutation { upsertAssets(input: [{ id: "srv-2", kind: "Server" }]) { id } }`);
    expect((await runResults(s, run.id))['srv-2']).toMatchObject({ asset: null, assetDeleted: true });
    const fresh = await s.gql(`{ asset(id: "srv-2") { scenarioResults { state } } }`);
    expect(fresh.data.asset.scenarioResults).toEqual([]);
  });
});

describe('newcomer papercuts', () => {
  afterAll(() => cleanUpApiProcesses());

  /** The curl commands `npm start` printed, run by a shell exactly as printed. */
  async function runBannerCommands(env: Record<string, string>, shellEnv: Record<string, string> = {}) {
    const api = await startApi({ SEED_DEMO: '1', ...env });
    const deadline = Date.now() + 10_000;
    while (!api.stdout().includes('What breaks') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const commands = api.stdout().match(/curl -s (?:[^\n]*\\\n)?[^\n]*/g) ?? [];
    expect(commands.length).toBe(3);
    return Promise.all(commands.map(async (cmd) => (await promisify(execFile)('bash', ['-c', cmd], { env: { ...process.env, ...shellEnv } })).stdout));
  }

  it('prints start commands that work as printed (health, and two questions to the demo twin)', async () => {
    const [health, dependents, impact] = await runBannerCommands({});
    expect(JSON.parse(health)).toMatchObject({ status: 'ready' });
    expect(JSON.parse(dependents).data.asset.dependents.length).toBeGreaterThan(0);
    expect(JSON.parse(impact).data.impact.down.length).toBe(58);
  });

  it('with auth on, the printed commands take the key from TWIN_TOKEN', async () => {
    const [, dependents, impact] = await runBannerCommands({ AUTH_API_KEYS: 'banner-key-0123456789:viewer' }, { TWIN_TOKEN: 'banner-key-0123456789' });
    expect(JSON.parse(dependents).errors).toBeUndefined();
    expect(JSON.parse(impact).data.impact.down.length).toBe(58);
  });
});
