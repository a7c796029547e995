import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { createPubSub } from '../../src/live/create-pubsub';
import { RedisPubSub } from '../../src/live/redis-pubsub';
import { CHANNELS } from '../../src/live/pubsub';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { AUTH_ENV, gql, KEYS } from '../support/auth-fixtures';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text';
import { freePort, startRedisServer, type RedisServer } from '../support/redis-server';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Pub/sub across API instances: two servers, each on its own SQLite file, share a real
 * redis-server started for this file. What is reported to one reaches subscribers of the other.
 */

const UPSERT = `mutation($input: [AssetInput!]!) { upsertAssets(input: $input) { id } }`;
const RELATE = `mutation($input: [RelationshipInput!]!) { relate(input: $input) { type } }`;
const REPORT = `mutation($input: [StateReport!]!) { reportState(input: $input) { accepted } }`;
const STATE_SUB = `subscription($ids: [ID!]) { assetStateChanged(ids: $ids) { assetId kind changed observedAt asset { id state } } }`;
const TOPOLOGY_SUB = `subscription { topologyChanged { change asset { id kind } relationship { type from { id kind } to { id kind } } } }`;

let clock = Date.now() - 3_600_000;
const tick = () => new Date((clock += 1000)).toISOString();

let redis: RedisServer;
const servers: TestServer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.stop();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** Two API instances of one deployment: the same store, events shared through Redis. */
async function instances(env: Record<string, string> = {}): Promise<[TestServer, TestServer]> {
  const a = await startTestServer({ env: { REDIS_URL: redis.url, ...env } });
  servers.push(a);
  return [a, await instanceBeside(a, env)];
}

/** Another instance of `a`'s deployment. */
async function instanceBeside(a: TestServer, env: Record<string, string> = {}): Promise<TestServer> {
  const b = await startTestServer({ env: { REDIS_URL: redis.url, ...env }, sameStoreAs: a });
  servers.push(b);
  return b;
}

async function stop(s: TestServer): Promise<void> {
  servers.splice(servers.indexOf(s), 1);
  await s.stop();
}

/** Subscribe over WebSocket; `next()` gives the next result's data, or null after `timeoutMs`. */
function subscribe<T>(s: TestServer, query: string, variables?: Record<string, unknown>, token?: string) {
  const connectionParams = token ? { authorization: `Bearer ${token}` } : undefined;
  const client = createClient({ url: s.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams });
  clients.push(client);
  const results: FormattedExecutionResult<T, unknown>[] = [];
  let failure: unknown = null;
  client.subscribe<T>({ query, variables }, {
    next: (result) => results.push(result),
    error: (err) => (failure = err ?? 'error'),
    complete: () => (failure = failure ?? 'completed'),
  });
  const next = async (timeoutMs = 5000): Promise<T | null> => {
    for (const deadline = Date.now() + timeoutMs; results.length === 0; ) {
      if (failure) throw new Error(`subscription ended: ${JSON.stringify(failure)}`);
      if (Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const result = results.shift()!;
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  return { next };
}

const RESUMABLE = `subscription($ids: [ID!], $after: String) { assetStateChanged(ids: $ids, after: $after) { assetId observedAt cursor gap } }`;
type Resumable = { assetStateChanged: { assetId: string; observedAt: string; cursor: string; gap: boolean } };
type StateData = { assetStateChanged: { assetId: string; kind: string; changed: Record<string, unknown>; observedAt: string; asset: { id: string; state: Record<string, unknown> } } };
type TopologyData = { topologyChanged: { change: string; asset: { id: string; kind: string } | null; relationship: any } };

/**
 * Repeat `poke` (which causes one matching event) until the subscription delivers, then read up
 * to the last poke's event: from then on the subscription is live across both instances.
 */
async function untilLive<T>(sub: { next(ms?: number): Promise<T | null> }, poke: (n: number) => Promise<string>, isPoke: (d: T, token: string) => boolean) {
  for (let n = 1; n <= 50; n++) {
    const token = await poke(n);
    let data = await sub.next(200);
    if (data === null) continue;
    while (!isPoke(data!, token)) data = await sub.next();
    return;
  }
  throw new Error('the subscription delivered nothing');
}

async function reportOn(s: TestServer, assetId: string, values: Record<string, unknown>): Promise<string> {
  const observedAt = tick();
  const res = await s.gql(REPORT, { input: [{ assetId, observedAt, values }] });
  expect(res.data.reportState.accepted).toBe(1);
  return observedAt;
}

describe('Redis pub/sub across API instances', () => {
  it('a state report sent to instance A reaches a subscriber on instance B', async () => {
    const [a, b] = await instances();
    expect((await a.gql(UPSERT, { input: [{ id: 'rack-1', kind: 'Rack' }, { id: 'rack-2', kind: 'Rack' }] })).errors).toBeUndefined();

    const onB = subscribe<StateData>(b, STATE_SUB, { ids: ['rack-1'] });
    await untilLive(onB, () => reportOn(a, 'rack-1', { inletTempC: 20 }), (d, at) => d.assetStateChanged.observedAt === at);

    await reportOn(a, 'rack-2', { powerKw: 1 });
    const at = await reportOn(a, 'rack-1', { powerKw: 4.5 });
    const event = (await onB.next())!.assetStateChanged;
    expect(event).toMatchObject({ assetId: 'rack-1', kind: 'Rack', changed: { powerKw: 4.5 }, observedAt: at });
    // The asset as instance A stored it travels with the event.
    expect(event.asset).toMatchObject({ id: 'rack-1', state: { powerKw: 4.5, inletTempC: 20 } });
    // B serves the same twin: it reads what A wrote.
    expect((await b.gql(`{ asset(id: "rack-1") { state } }`)).data.asset.state).toEqual({ powerKw: 4.5, inletTempC: 20 });
  });

  it('topology changes made on instance A reach a subscriber on instance B', async () => {
    const [a, b] = await instances();
    const onB = subscribe<TopologyData>(b, TOPOLOGY_SUB);
    await untilLive(
      onB,
      async (n) => {
        await a.gql(UPSERT, { input: [{ id: `poke-${n}`, kind: 'Sensor' }] });
        return `poke-${n}`;
      },
      (d, id) => d.topologyChanged.asset?.id === id,
    );

    await a.gql(UPSERT, { input: [{ id: 'ups-1', kind: 'UPS' }, { id: 'pdu-1', kind: 'PDU' }] });
    await a.gql(RELATE, { input: [{ from: 'ups-1', to: 'pdu-1', type: 'FEEDS' }] });
    expect((await onB.next())!.topologyChanged).toMatchObject({ change: 'ASSET_UPSERTED', asset: { id: 'ups-1', kind: 'UPS' } });
    expect((await onB.next())!.topologyChanged).toMatchObject({ change: 'ASSET_UPSERTED', asset: { id: 'pdu-1', kind: 'PDU' } });
    expect((await onB.next())!.topologyChanged).toMatchObject({
      change: 'RELATIONSHIP_UPSERTED',
      relationship: { type: 'FEEDS', from: { id: 'ups-1', kind: 'UPS' }, to: { id: 'pdu-1', kind: 'PDU' } },
    });
  });

  it('delivers each batch in publish order to every process, the publisher included', async () => {
    const logger = createLogger('silent');
    const [one, two] = await Promise.all([RedisPubSub.connect({ url: redis.url, logger }), RedisPubSub.connect({ url: redis.url, logger })]);
    try {
      const own: unknown[] = [];
      const other: unknown[] = [];
      one.subscribe(CHANNELS.topology, (m) => own.push(m));
      two.subscribe(CHANNELS.topology, (m) => other.push(m));
      await one.publish(CHANNELS.topology, [1, 2]);
      await one.publish(CHANNELS.topology, [3, { four: 4 }]);
      for (let waited = 0; (own.length < 4 || other.length < 4) && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(own).toEqual([1, 2, 3, { four: 4 }]);
      expect(other).toEqual([1, 2, 3, { four: 4 }]);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('shares executions on B between subscribers of one document, variables and role, each getting what it would alone', async () => {
    const [a, b] = await instances(AUTH_ENV);
    const admin = (query: string, variables?: object) => gql(a, query, KEYS.admin, variables);
    expect((await admin(UPSERT, { input: [{ id: 'rack-1', kind: 'Rack' }, { id: 'rack-2', kind: 'Rack' }] })).body.errors).toBeUndefined();
    const report = async (assetId: string) => {
      const observedAt = tick();
      const res = await gql(a, REPORT, KEYS.operator, { input: [{ assetId, observedAt, values: { powerKw: 2 } }] });
      expect(res.body.data.reportState.accepted).toBe(1);
      return observedAt;
    };
    const both = { ids: ['rack-1', 'rack-2'] };
    const viewers = [subscribe<StateData>(b, STATE_SUB, both, KEYS.viewer), subscribe<StateData>(b, STATE_SUB, both, KEYS.viewer)];
    const operator = subscribe<StateData>(b, STATE_SUB, both, KEYS.operator);
    const narrow = subscribe<StateData>(b, STATE_SUB, { ids: ['rack-2'] }, KEYS.viewer);
    for (const sub of [...viewers, operator]) await untilLive(sub, () => report('rack-1'), (d, at) => d.assetStateChanged.observedAt === at);
    await untilLive(narrow, () => report('rack-2'), (d, at) => d.assetStateChanged.observedAt === at);
    const drain = async (sub: { next(ms?: number): Promise<unknown> }) => {
      while ((await sub.next(250)) !== null);
    };
    for (const sub of [...viewers, operator]) await drain(sub);
    const metrics = parsePrometheusText(await (await fetch(`${new URL(b.url).origin}/metrics`)).text());
    expect(sampleValue(metrics, 'twin_subscriptions_active')).toBe(4);
    expect(sampleValue(metrics, 'twin_subscription_executions_active')).toBe(3);

    const sent = [await report('rack-2'), await report('rack-1')];
    const got = async (sub: (typeof viewers)[number]) => [(await sub.next())!, (await sub.next())!];
    const shared = await got(viewers[0]);
    expect(shared.map((d) => d.assetStateChanged.observedAt)).toEqual(sent);
    expect(shared[1].assetStateChanged.asset.state).toEqual({ powerKw: 2 });
    expect(await got(viewers[1])).toEqual(shared);
    expect(await got(operator)).toEqual(shared);
    expect((await narrow.next())!).toEqual(shared[0]);
    expect(await narrow.next(300)).toBeNull();
  });

  it('resumes from the last cursor on a restarted instance: every event missed, in order, none twice, while reports go on', async () => {
    const [a, b] = await instances();
    expect((await a.gql(UPSERT, { input: [{ id: 'rack-1', kind: 'Rack' }] })).errors).toBeUndefined();
    const first = subscribe<Resumable>(b, RESUMABLE, { ids: ['rack-1'] });
    await untilLive(first, () => reportOn(a, 'rack-1', { powerKw: 1 }), (d, at) => d.assetStateChanged.observedAt === at);
    const seenAt = await reportOn(a, 'rack-1', { powerKw: 1 });
    const last = (await first.next())!.assetStateChanged;
    expect(last.observedAt).toBe(seenAt);

    // B goes down and comes back while A takes reports without a pause; the client resumes on
    // the new B with the last cursor it saw.
    await stop(b);
    const sent: string[] = [];
    let reporting = true;
    const reporter = (async () => {
      while (reporting) sent.push(await reportOn(a, 'rack-1', { powerKw: 2 }));
    })();
    const restarted = await instanceBeside(a);
    const resumed = subscribe<Resumable>(restarted, RESUMABLE, { ids: ['rack-1'], after: last.cursor });
    await new Promise((resolve) => setTimeout(resolve, 500));
    reporting = false;
    await reporter;

    const got: Resumable['assetStateChanged'][] = [];
    while (got.length < sent.length) {
      const data = await resumed.next();
      if (!data) break;
      got.push(data.assetStateChanged);
    }
    expect(sent.length).toBeGreaterThan(3);
    expect(got.map((e) => e.observedAt)).toEqual(sent);
    expect(got.some((e) => e.gap)).toBe(false);
    expect(await resumed.next(300)).toBeNull();
  });

  it('marks the first replayed event with gap when the stream no longer holds what followed the cursor', async () => {
    const [a, b] = await instances({ LIVE_REPLAY_MAX_EVENTS: '10' });
    expect((await a.gql(UPSERT, { input: [{ id: 'rack-1', kind: 'Rack' }] })).errors).toBeUndefined();
    const first = subscribe<Resumable>(b, RESUMABLE, { ids: ['rack-1'] });
    await untilLive(first, () => reportOn(a, 'rack-1', { powerKw: 1 }), (d, at) => d.assetStateChanged.observedAt === at);
    await reportOn(a, 'rack-1', { powerKw: 1 });
    const { cursor } = (await first.next())!.assetStateChanged;

    // Far more events than are kept (Redis trims whole stream nodes of 100 entries).
    const times = Array.from({ length: 300 }, () => tick());
    const res = await a.gql(REPORT, { input: times.map((observedAt) => ({ assetId: 'rack-1', observedAt, values: { powerKw: 3 } })) });
    expect(res.data.reportState.accepted).toBe(300);
    const resumed = subscribe<Resumable>(b, RESUMABLE, { ids: ['rack-1'], after: cursor });
    const replayed = (await resumed.next())!.assetStateChanged;
    expect(replayed.gap).toBe(true);
    // What it gets after the gap is the newest part, in order, up to the last event.
    const from = times.indexOf(replayed.observedAt);
    expect(from).toBeGreaterThan(0);
    for (const expected of times.slice(from + 1)) expect((await resumed.next())!.assetStateChanged).toMatchObject({ observedAt: expected, gap: false });
  });

  it('fails start-up naming REDIS_URL when Redis cannot be reached', async () => {
    const port = await freePort();
    const config = loadConfig({ REDIS_URL: `redis://:s3cret@127.0.0.1:${port}` });
    const failure = createPubSub(config, createLogger('silent'));
    await expect(failure).rejects.toThrow(/^REDIS_URL: cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });
});
