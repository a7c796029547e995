import { SignJWT } from 'jose';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startTestServer, type TestServer } from '../support/test-server';
import { AUTH_ENV, gql, KEYS, post, SECRET } from '../support/auth-fixtures';

/** Auth and roles on HTTP, /ingest and WebSocket; the audit trail; query limits. */

const jwt = (claims: Record<string, unknown>, opts: { secret?: string; expiresIn?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice@example.com')
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(opts.secret ?? SECRET));

const UPSERT = `mutation { upsertAssets(input: [{ id: "ups-1", kind: "UPS" }]) { id } }`;
const REPORT = `mutation($t: DateTime!) { reportState(input: [{ assetId: "ups-1", observedAt: $t, values: { loadKw: 5 } }]) { accepted } }`;

describe('without auth', () => {
  it('refuses to listen beyond loopback, naming the variables to set', async () => {
    const config = loadConfig({ HOST: '0.0.0.0', PORT: '0', DATA_DIR: '/tmp/never-used', LOG_LEVEL: 'silent' });
    await expect(createApp(config, { logger: createLogger('silent') })).rejects.toThrow(/HOST=0\.0\.0\.0 .*AUTH_API_KEYS, AUTH_JWT_SECRET or AUTH_JWKS_URL/);
  });
});

describe('with API keys and JWTs', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: AUTH_ENV });
    expect((await gql(s, UPSERT, KEYS.admin)).status).toBe(200);
  });
  afterAll(() => s.stop());

  it('answers missing or bad credentials with UNAUTHENTICATED (401)', async () => {
    for (const token of [undefined, 'not-a-key', await jwt({ role: 'admin' }, { secret: 'another-secret-of-a-good-length-1234567' }), await jwt({ role: 'admin' }, { expiresIn: '-1m' })]) {
      const res = await gql(s, `{ model { name } }`, token);
      expect(res.status).toBe(401);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const expired = await gql(s, `{ model { name } }`, await jwt({ role: 'admin' }, { expiresIn: '-1m' }));
    expect(expired.body.errors[0].message).toBe('token expired');
  });

  it('enforces roles: viewer reads, operator reports state, admin changes topology', async () => {
    const t = new Date().toISOString();
    expect((await gql(s, `{ asset(id: "ups-1") { id } }`, KEYS.viewer)).body.data.asset.id).toBe('ups-1');
    const viewerWrite = await gql(s, REPORT, KEYS.viewer, { t });
    expect(viewerWrite.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await gql(s, REPORT, KEYS.operator, { t })).body.data.reportState.accepted).toBe(1);
    const operatorTopology = await gql(s, `mutation { upsertAssets(input: [{ id: "ups-2", kind: "UPS" }]) { id } }`, KEYS.operator);
    expect(operatorTopology.body.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/upsertAssets needs the admin role; you are operator/) });
    expect((await gql(s, `{ asset(id: "ups-2") { id } }`, KEYS.admin)).body.data.asset).toBeNull();
    const operatorJwt = await jwt({ role: 'operator' });
    expect((await gql(s, REPORT, operatorJwt, { t: new Date().toISOString() })).body.data.reportState.accepted).toBe(1);
    const noRole = await gql(s, `{ model { name } }`, await jwt({ scope: 'x' }));
    expect(noRole.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('guards POST /ingest: 401 without credentials, 403 for a viewer, 200 for an operator', async () => {
    const line = JSON.stringify({ assetId: 'ups-1', observedAt: new Date().toISOString(), values: { loadKw: 7 } });
    expect((await post(s, line, undefined, '/ingest')).status).toBe(401);
    expect((await post(s, line, KEYS.viewer, '/ingest')).status).toBe(403);
    const ok = await post(s, line, KEYS.operator, '/ingest');
    expect(ok.status).toBe(200);
  });

  it('authenticates WebSocket connections at connection_init', async () => {
    const url = s.url.replace(/^http/, 'ws');
    const refused = await new Promise<number>((resolve) => {
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, on: { closed: (e) => resolve((e as { code: number }).code) } });
      client.subscribe({ query: 'subscription { topologyChanged { change } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(refused).toBe(4401);
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${KEYS.viewer}` } });
    try {
      const events = client.iterate<{ topologyChanged: { change: string; asset: { id: string } } }>({ query: 'subscription { topologyChanged { change asset { id } } }' });
      const first = events.next();
      await new Promise((r) => setTimeout(r, 200));
      await gql(s, `mutation { upsertAssets(input: [{ id: "ups-9", kind: "UPS" }]) { id } }`, KEYS.admin);
      expect((await first).value.data.topologyChanged).toEqual({ change: 'ASSET_UPSERTED', asset: { id: 'ups-9' } });
      await events.return?.();
    } finally {
      await client.dispose();
    }
  });

  it('records every mutation in the audit log, readable by admins only', async () => {
    await gql(s, `mutation { relate(input: [{ from: "ups-1", to: "ups-9", type: "BOGUS" }]) { type } }`, KEYS.admin);
    const query = `{ auditLog(first: 50) { nodes { actor role operation ids idCount outcome error } } }`;
    expect((await gql(s, query, KEYS.viewer)).body.errors[0].extensions.code).toBe('FORBIDDEN');
    const log = (await gql(s, query, KEYS.admin)).body.data.auditLog.nodes;
    // Newest first: the viewer's refused read, then the failed relate.
    expect(log[0]).toMatchObject({ operation: 'auditLog', role: 'viewer', outcome: 'ERROR', error: 'FORBIDDEN' });
    expect(log[1]).toMatchObject({ operation: 'relate', role: 'admin', outcome: 'ERROR', error: 'BAD_USER_INPUT', actor: expect.stringMatching(/^key:[0-9a-f]{8}$/) });
    expect(log).toContainEqual(expect.objectContaining({ operation: 'upsertAssets', ids: ['ups-9'], idCount: 1, outcome: 'OK' }));
    expect(log).toContainEqual(expect.objectContaining({ operation: 'reportState', actor: 'jwt:alice@example.com', role: 'operator', ids: ['ups-1'] }));
    expect(log).toContainEqual(expect.objectContaining({ operation: 'ingest', role: 'operator', ids: ['ups-1'] }));
    expect(log.filter((e: { operation: string; ids: string[] }) => e.operation === 'upsertAssets' && e.ids.includes('ups-2'))).toEqual([]); // forbidden: nothing ran
    const filtered = (await gql(s, `{ auditLog(where: { assetId: "ups-9", operation: "upsertAssets" }) { nodes { ids } } }`, KEYS.admin)).body.data.auditLog.nodes;
    expect(filtered).toEqual([{ ids: ['ups-9'] }]);
  });
});

/** A graphql-ws client that reports how its socket closed; `closed` settles on the first close. */
function wsClient(s: TestServer, token?: string) {
  let closed!: (close: { code: number; reason: string }) => void;
  const closing = new Promise<{ code: number; reason: string }>((resolve) => (closed = resolve));
  const client = createClient({
    url: s.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: { closed: (e) => closed(e as { code: number; reason: string }) },
  });
  const connected = new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    void closing.then((e) => reject(new Error(`closed with ${e.code} ${e.reason}`)));
  });
  connected.catch(() => undefined); // a refused client is awaited by its close, not here
  return { client, connected, closing };
}

/** A metric's value from the server's /metrics, e.g. `twin_websocket_server_closes_total{reason="token_expired"}`. */
const metric = async (s: TestServer, sample: string) => {
  const text = await (await fetch(`${new URL(s.url).origin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
};
const serverCloses = (s: TestServer, reason: string) => metric(s, `twin_websocket_server_closes_total{reason="${reason}"}`);

describe('WebSocket connections over time', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { ...AUTH_ENV, WS_MAX_CONNECTIONS_PER_PRINCIPAL: '2' } });
    expect((await gql(s, UPSERT, KEYS.admin)).status).toBe(200);
  });
  afterAll(() => s.stop());

  it('are closed with 4401 when their token expires, having received events until then', async () => {
    const { client, connected, closing } = wsClient(s, await jwt({ role: 'viewer' }, { expiresIn: '3s' }));
    try {
      await connected;
      const events: string[] = [];
      client.subscribe<{ topologyChanged: { asset: { id: string } } }>(
        { query: 'subscription { topologyChanged { asset { id } } }' },
        { next: (e) => events.push(e.data!.topologyChanged.asset.id), error: () => undefined, complete: () => undefined },
      );
      await new Promise((r) => setTimeout(r, 200));
      await gql(s, `mutation { upsertAssets(input: [{ id: "ups-live", kind: "UPS" }]) { id } }`, KEYS.admin);
      const close = await closing;
      expect(close).toMatchObject({ code: 4401, reason: 'token expired' });
      expect(events).toEqual(['ups-live']);
      expect(await serverCloses(s, 'token_expired')).toBe(1);
    } finally {
      await client.dispose();
    }
  }, 15_000);

  it('are refused with 4429 past WS_MAX_CONNECTIONS_PER_PRINCIPAL, each principal counted apart', async () => {
    const first = wsClient(s, KEYS.viewer);
    const second = wsClient(s, KEYS.viewer);
    const other = wsClient(s, KEYS.operator);
    const open = [first, second, other];
    try {
      await Promise.all(open.map((c) => c.connected));
      const third = wsClient(s, KEYS.viewer);
      open.push(third);
      expect(await third.closing).toMatchObject({ code: 4429, reason: expect.stringMatching(/at most 2 \(WS_MAX_CONNECTIONS_PER_PRINCIPAL\)/) });
      expect(await serverCloses(s, 'too_many_connections')).toBe(1);
      // A closed connection frees its place, once the server has seen it close.
      await first.client.dispose();
      while ((await metric(s, 'twin_websocket_connections_active')) !== 2) await new Promise((r) => setTimeout(r, 20));
      const again = wsClient(s, KEYS.viewer);
      open.push(again);
      await again.connected;
    } finally {
      await Promise.all(open.map((c) => c.client.dispose()));
    }
  });
});

describe('query limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { MAX_QUERY_DEPTH: '6', MAX_ALIASES: '5' } });
  });
  afterAll(() => s.stop());

  const deep = `{ assets { edges { node { relationships { from { relationships { to { id } } } } } } } }`;
  const aliased = `{ ${Array.from({ length: 8 }, (_, i) => `m${i}: model { name }`).join(' ')} }`;

  it('refuses too deep and too aliased queries over HTTP with GRAPHQL_VALIDATION_FAILED', async () => {
    const tooDeep = await gql(s, deep);
    expect(tooDeep.body.errors[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }, message: expect.stringMatching(/depth limit of 6 exceeded/) });
    expect((await gql(s, aliased)).body.errors[0].message).toMatch(/Aliases limit of 5 exceeded/);
    expect((await gql(s, `{ assets { edges { node { id } } } }`)).body.data).toBeDefined();
  });

  it('applies the same limits to subscriptions', async () => {
    const client = createClient({ url: s.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const error = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: `subscription { assetStateChanged { asset { relationships { from { relationships { to { relationships { to { id } } } } } } } } }` },
          { next: () => undefined, error: resolve, complete: () => resolve(null) },
        );
      });
      expect(JSON.stringify(error)).toMatch(/depth limit of 6 exceeded/);
    } finally {
      await client.dispose();
    }
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await post(s, { query: `{ model { name } }`, variables: { pad: 'x'.repeat(6 * 1024 * 1024) } });
    expect(res.status).toBe(413);
  });
});
