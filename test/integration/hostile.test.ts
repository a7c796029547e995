import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { cleanUpApiProcesses, startApi } from '../support/api-process';
import { AUTH_ENV, gql, KEYS, post as postAs, SECRET } from '../support/auth-fixtures';
import { RUN_SCENARIO, runResults, seedScenarioTwin, waitForRun } from '../support/scenario-helpers';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * A hostile client: oversized lists, impossible dates, malformed bodies, operations sent where
 * they are not served, requests at every limit, forged credentials. Each is refused before any
 * work, with a small, clean JSON error naming the limit, nothing is written, refusals are in the
 * audit trail, and no request holds the server. Plus the papercuts a newcomer meets first.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { MAX_QUERY_DEPTH: '6' } });
  await s.gql(`mutation { upsertAssets(input: [{ id: "rack-1", kind: "Rack", properties: { row: 1 } }]) { id } }`);
});
afterAll(async () => {
  await s.stop();
  cleanUpApiProcesses();
});

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

describe('the query cost counts what a request asks for', () => {
  const COST = /^Query Cost limit of 20000 exceeded, found (\d+)\. \(the server's MAX_QUERY_COST\)$/;

  it('counts every item of list arguments, sent inline or as variables', async () => {
    // 20 filters of 1000 values: each list passes MAX_LIST_ITEMS, together they cost 20,000+.
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const where = { properties: Array.from({ length: 20 }, (_, k) => ({ key: `p${k}`, in: values })) };
    const res = await s.gql(`query($w: AssetWhere) { assets(where: $w, first: 1) { totalCount } }`, { w: where });
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(Number(COST.exec(res.errors![0].message)?.[1])).toBeGreaterThan(20_000);
    expect(res.data).toBeUndefined();
    // Half of it passes.
    const half = await s.gql(`query($w: AssetWhere) { assets(where: $w, first: 1) { totalCount } }`, { w: { properties: where.properties.slice(0, 10) } });
    expect(half.errors).toBeUndefined();
  });

  it('multiplies a selection by a page size given as a variable, and a traversal by its depth', async () => {
    const fanOut = `query($n: Int) { assets(first: $n) { edges { node { dependents(maxDepth: 10) { asset { id } } } } } }`;
    const refused = await s.gql(fanOut, { n: 500 });
    expect(refused.errors![0].message).toMatch(COST);
    expect((await s.gql(fanOut, { n: 2 })).errors).toBeUndefined();
  });

  it('refuses a costly subscription over WebSocket the same way, before it starts', async () => {
    // The shared server's store, not a wiped one: the tests below still use its rack-1.
    const small = await startTestServer({ env: { MAX_QUERY_COST: '1000' }, sameStoreAs: s });
    const client = createClient({ url: small.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const ids = Array.from({ length: 1000 }, (_, i) => `rack-${i}`);
      const errors = await new Promise<readonly { message: string }[]>((resolve) => {
        client.subscribe({ query: `subscription($ids: [ID!]) { assetStateChanged(ids: $ids) { assetId } }`, variables: { ids } }, {
          next: () => resolve([]),
          error: (err) => resolve(Array.isArray(err) ? err : [err as { message: string }]),
          complete: () => resolve([]),
        });
      });
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^Query Cost limit of 1000 exceeded, found 10\d\d\. \(the server's MAX_QUERY_COST\)$/)]);
    } finally {
      await client.dispose();
      await small.stop();
    }
  });
});

describe('strings and properties are bounded', () => {
  it('refuses more than 200 properties, a list property over 1000 items, and over-long search text, writing nothing', async () => {
    const many = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i]));
    const tooMany = await s.gql(`mutation($p: JSON) { upsertAssets(input: [{ id: "ups-big", kind: "UPS", properties: $p }]) { id } }`, { p: many });
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0].message).toMatch(/at most 200 properties, got 201/);

    const longList = await s.gql(`mutation($p: JSON) { upsertAssets(input: [{ id: "ups-big", kind: "UPS", properties: $p }]) { id } }`, { p: { tags: Array.from({ length: 1001 }, (_, i) => `t${i}`) } });
    expect(codeOf(longList)).toBe('BAD_USER_INPUT');
    expect(longList.errors![0].message).toMatch(/tags: a list property holds at most 1000 items, got 1001/);
    expect((await s.gql(`{ asset(id: "ups-big") { id } }`)).data.asset).toBeNull();

    const search = await s.gql(`query($t: String) { assets(where: { nameContains: $t }) { totalCount } }`, { t: 'x'.repeat(501) });
    expect(codeOf(search)).toBe('BAD_USER_INPUT');
    expect(search.errors![0].message).toBe('where.nameContains is 501 characters long; at most 500');
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

describe('no request holds the server', () => {
  const RACKS = 3000;

  /** The slowest `/livez` answer while `work` ran: how long the server's event loop was held. */
  async function longestStall(livez: string, work: () => Promise<unknown>): Promise<number> {
    let done = false;
    let longest = 0;
    const watcher = (async () => {
      while (!done) {
        const started = performance.now();
        await (await fetch(livez)).text();
        longest = Math.max(longest, performance.now() - started);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      await work();
    } finally {
      done = true;
      await watcher;
    }
    return longest;
  }

  it('answers requests at the limits while /livez keeps answering (lists, traversal, a full batch)', async () => {
    // A separate process, as deployed: what it does to its event loop is all that is measured.
    const api = await startApi();
    const call = async (query: string, variables?: Record<string, unknown>) => {
      const res = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as any;
    };
    const ups = Array.from({ length: 30 }, (_, u) => ({ id: `ups-${u}`, kind: 'UPS' }));
    const racks = Array.from({ length: RACKS }, (_, i) => ({ id: `rack-${i}`, kind: 'Rack', properties: Object.fromEntries(Array.from({ length: 19 }, (_, k) => [`p${k}`, i])) }));
    for (const input of [ups, racks.slice(0, 1000), racks.slice(1000, 2000), racks.slice(2000)]) {
      expect((await call(`mutation($a: [AssetInput!]!) { upsertAssets(input: $a) { id } }`, { a: input })).errors).toBeUndefined();
    }
    const feeds = racks.map((r, i) => ({ from: `ups-${i % 30}`, type: 'FEEDS', to: r.id }));
    for (const input of [feeds.slice(0, 1500), feeds.slice(1500)]) {
      expect((await call(`mutation($r: [RelationshipInput!]!) { relate(input: $r) { type } }`, { r: input })).errors).toBeUndefined();
    }

    const values = Array.from({ length: 1000 }, (_, i) => i + RACKS); // no rack matches
    const hostile: [string, string, Record<string, unknown>, (data: any) => void][] = [
      [
        '19 property filters of 1000 values',
        `query($w: AssetWhere) { assets(where: $w, first: 1) { totalCount } }`,
        { w: { properties: Array.from({ length: 19 }, (_, k) => ({ key: `p${k}`, in: values })) } },
        (d) => expect(d.assets.totalCount).toBe(0),
      ],
      ['impact of every UPS', `query($f: [ID!]!) { impact(failed: $f) { down { depth } } }`, { f: ups.map((u) => u.id) }, (d) => expect(d.impact.down).toHaveLength(RACKS)],
      [
        'a full batch: 2000 state reports (MAX_BATCH_RECORDS)',
        `mutation($r: [StateReport!]!) { reportState(input: $r) { accepted } }`,
        { r: Array.from({ length: 2000 }, (_, i) => ({ assetId: `rack-${i % RACKS}`, observedAt: new Date(Date.now() - 60_000 + i).toISOString(), values: { inletTempC: 20 + (i % 5) } })) },
        (d) => expect(d.reportState.accepted).toBe(2000),
      ],
    ];
    const livez = api.url.replace(/\/graphql$/, '/livez');
    for (const [name, query, variables, check] of hostile) {
      let res: any;
      const stall = await longestStall(livez, async () => (res = await call(query, variables)));
      expect(res.errors).toBeUndefined();
      check(res.data);
      // About 100 ms is the goal (30-120 ms here, figures in the issue note); the margin is for
      // a loaded CI machine, where the server also waits for a CPU. Before the fixes the first
      // of these held the server for over a second.
      expect({ name, stall: stall < 400 ? 'under 400 ms' : `${Math.round(stall)} ms` }).toEqual({ name, stall: 'under 400 ms' });
    }
  }, 60_000);

  it('stops a request whose store reads run past QUERY_TIMEOUT_MS with TIMEOUT', async () => {
    // A store that takes 1.5 s for one read (a slow disk, a busy Neo4j): the reads after it
    // would start past the 1 s deadline, which an ordinary request meets with a wide margin.
    const slow = await startTestServer({
      env: { QUERY_TIMEOUT_MS: '1000' },
      wrapStore: (store) => new Proxy(store, {
        get: (target, prop, receiver) => {
          const value = Reflect.get(target, prop, receiver);
          return prop === 'getAssets' ? async (ids: string[]) => (await new Promise((r) => setTimeout(r, 1500)), value.call(target, ids)) : value;
        },
      }),
    });
    try {
      await slow.store.upsertAssets([{ id: 'ups-1', kind: 'UPS' }, { id: 'rack-1', kind: 'Rack' }]);
      await slow.store.relate([{ from: 'ups-1', type: 'FEEDS', to: 'rack-1' }]);
      const quick = await slow.gql(`{ assets(first: 5) { totalCount } }`);
      expect(quick.data.assets.totalCount).toBe(2);
      // `properties` needs the whole asset (the slow read); the relationships are read after it.
      const res = await slow.gql(`{ asset(id: "ups-1") { properties relationships { to { id } } } }`);
      expect(codeOf(res)).toBe('TIMEOUT');
      expect(res.errors![0].message).toMatch(/QUERY_TIMEOUT_MS \(1000 ms\)/);
    } finally {
      await slow.stop();
    }
  });
});

// Hostile credentials: JWTs without `exp`, forged or odd subjects; refusals and audit reads in the audit trail.

/** The audit actor of an API key. */
const keyActor = (key: string) => `key:${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
/** An HS256 token with exactly these claims: no `sub` or `exp` unless given. */
const token = (claims: Record<string, unknown>, expiresIn?: string) => {
  const t = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  return (expiresIn ? t.setExpirationTime(expiresIn) : t).sign(new TextEncoder().encode(SECRET));
};

const AUDIT = `query($where: AuditWhere) { auditLog(where: $where, first: 100) { nodes { actor role operation ids idCount outcome error } } }`;
const auditLog = async (s: TestServer, where: Record<string, string>) => {
  const res = await gql(s, AUDIT, KEYS.admin, { where });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.auditLog.nodes as { actor: string; role: string; operation: string; ids: string[]; outcome: string; error: string | null }[];
};

/** Retries `check` for up to 3 s: a refusal on /ingest is recorded once its response has gone out. */
async function eventually(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const upsert = (id: string) => `mutation { upsertAssets(input: [{ id: "${id}", kind: "UPS" }]) { id } }`;
const assetExists = async (s: TestServer, id: string) => (await gql(s, `{ asset(id: "${id}") { id } }`, KEYS.admin)).body.data.asset !== null;

describe('hostile credentials', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: AUTH_ENV });
    expect((await gql(s, upsert('ups-1'), KEYS.admin)).status).toBe(200);
  });
  afterAll(() => s.stop());

  it('refuses a JWT without exp (401, saying exp is required) unless AUTH_JWT_REQUIRE_EXP=0', async () => {
    const noExp = await token({ sub: 'alice@example.com', role: 'admin' });
    const read = await gql(s, `{ model { name } }`, noExp);
    expect(read.status).toBe(401);
    expect(read.body.errors[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/"exp".*required/) });
    expect((await gql(s, upsert('ups-noexp'), noExp)).status).toBe(401);
    expect((await postAs(s, JSON.stringify({ assetId: 'ups-1', observedAt: new Date().toISOString(), values: { loadKw: 1 } }), noExp, '/ingest')).status).toBe(401);
    expect(await assetExists(s, 'ups-noexp')).toBe(false);

    const lenient = await startTestServer({ sameStoreAs: s, env: { ...AUTH_ENV, AUTH_JWT_REQUIRE_EXP: '0' } });
    try {
      const ok = await gql(lenient, upsert('ups-noexp'), noExp);
      expect(ok.status).toBe(200);
      expect(ok.body.data.upsertAssets).toEqual([{ id: 'ups-noexp' }]);
      // An expired token is still refused there.
      expect((await gql(lenient, `{ model { name } }`, await token({ sub: 'alice@example.com', role: 'admin' }, '-1m'))).status).toBe(401);
    } finally {
      await lenient.stop();
    }
    expect(await auditLog(s, { operation: 'upsertAssets', assetId: 'ups-noexp' })).toEqual([
      expect.objectContaining({ actor: 'jwt:alice@example.com', role: 'admin', outcome: 'OK', ids: ['ups-noexp'] }),
    ]);
  });

  it('records a JWT subject as jwt:<sub>, so "key:…" or "anonymous" cannot pass for a key or an anonymous caller', async () => {
    const admin = keyActor(KEYS.admin);
    for (const sub of [admin, 'anonymous']) {
      const forged = await token({ sub, role: 'operator' }, '5m');
      const res = await gql(s, `mutation($t: DateTime!) { reportState(input: [{ assetId: "ups-1", observedAt: $t, values: { loadKw: 3 } }]) { accepted } }`, forged, { t: new Date().toISOString() });
      expect(res.body.data.reportState.accepted).toBe(1);
      expect(await auditLog(s, { actor: `jwt:${sub}`, operation: 'reportState' })).toEqual([expect.objectContaining({ role: 'operator', outcome: 'OK', ids: ['ups-1'] })]);
      expect(await auditLog(s, { actor: sub, operation: 'reportState' })).toEqual([]);
    }
    // The key's own entries are still only its own.
    expect((await auditLog(s, { actor: admin })).every((e) => e.role === 'admin')).toBe(true);
  });

  it('refuses a JWT whose sub is not a non-empty string (401), recording no "[object Object]"', async () => {
    for (const sub of [{ id: 'alice' }, 42, '', undefined]) {
      const odd = await token({ ...(sub === undefined ? {} : { sub }), role: 'admin' }, '5m');
      const res = await gql(s, upsert('ups-odd'), odd);
      expect(res.status).toBe(401);
      expect(res.body.errors[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/"sub" must be a non-empty string/) });
    }
    expect(await assetExists(s, 'ups-odd')).toBe(false);
    const actors = (await auditLog(s, {})).map((e) => e.actor);
    expect(actors.filter((a) => /object|^jwt:(42)?$/.test(a))).toEqual([]);
  });

  it('records a forbidden mutation (FORBIDDEN, actor and role, no ids) and runs nothing', async () => {
    const res = await gql(s, upsert('ups-forbidden'), KEYS.viewer);
    expect(res.status).toBe(403);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(await assetExists(s, 'ups-forbidden')).toBe(false);
    const [latest] = await auditLog(s, { operation: 'upsertAssets' });
    expect(latest).toEqual({ actor: keyActor(KEYS.viewer), role: 'viewer', operation: 'upsertAssets', ids: [], idCount: 0, outcome: 'ERROR', error: 'FORBIDDEN' });
  });

  it('records refused /ingest calls (UNAUTHENTICATED as anonymous, FORBIDDEN as the caller) and writes nothing', async () => {
    const line = JSON.stringify({ assetId: 'ups-1', observedAt: new Date(Date.now() + 1000).toISOString(), values: { loadKw: 999 } });
    const before = (await gql(s, `{ asset(id: "ups-1") { state } }`, KEYS.admin)).body.data.asset.state;
    const refusedBefore = (await auditLog(s, { operation: 'ingest' })).filter((e) => e.outcome === 'ERROR').length;
    expect((await postAs(s, line, undefined, '/ingest')).status).toBe(401);
    expect((await postAs(s, line, 'not-a-key', '/ingest')).status).toBe(401);
    expect((await postAs(s, line, KEYS.viewer, '/ingest')).status).toBe(403);
    expect((await postAs(s, line, await token({ sub: 'bob', scope: 'x' }, '5m'), '/ingest')).status).toBe(403);
    await eventually(async () => {
      const all = (await auditLog(s, { operation: 'ingest' })).filter((e) => e.outcome === 'ERROR');
      expect(all).toHaveLength(refusedBefore + 4);
      const refused = all.slice(0, 4); // newest first
      expect(refused).toEqual(
        expect.arrayContaining([
          { actor: 'anonymous', role: 'none', operation: 'ingest', ids: [], idCount: 0, outcome: 'ERROR', error: 'UNAUTHENTICATED' },
          { actor: keyActor(KEYS.viewer), role: 'viewer', operation: 'ingest', ids: [], idCount: 0, outcome: 'ERROR', error: 'FORBIDDEN' },
          { actor: 'jwt:bob', role: 'none', operation: 'ingest', ids: [], idCount: 0, outcome: 'ERROR', error: 'FORBIDDEN' },
        ]),
      );
      expect(refused.filter((e) => e.actor === 'anonymous')).toHaveLength(2);
    });
    expect((await gql(s, `{ asset(id: "ups-1") { state } }`, KEYS.admin)).body.data.asset.state).toEqual(before);
  });

  it('records every read of the audit log, after it ran (a read does not list itself)', async () => {
    const reads = () => auditLog(s, { operation: 'auditLog' });
    const first = await reads();
    const second = await reads();
    expect(second).toHaveLength(first.length + 1);
    expect(second[0]).toEqual({ actor: keyActor(KEYS.admin), role: 'admin', operation: 'auditLog', ids: [], idCount: 0, outcome: 'OK', error: null });
  });

  it('records a refused read of the audit log (FORBIDDEN) and answers nothing of it', async () => {
    const res = await gql(s, AUDIT, KEYS.operator, { where: {} });
    expect(res.status).toBe(403);
    expect(res.body.data).toBeNull();
    // Newest first, and the read that lists it is recorded after it ran.
    const [latest] = await auditLog(s, { operation: 'auditLog' });
    expect(latest).toEqual({ actor: keyActor(KEYS.operator), role: 'operator', operation: 'auditLog', ids: [], idCount: 0, outcome: 'ERROR', error: 'FORBIDDEN' });
  });
});
