import type { Socket } from 'node:net';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { AUTH_ENV, gql, KEYS } from '../support/auth-fixtures';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text';
import { countingStore, startTestServer, type TestServer } from '../support/test-server';

/** Subscriptions over a real WebSocket (graphql-ws client) against the real server on a SQLite file. */

const UPSERT = `mutation($input: [AssetInput!]!) { upsertAssets(input: $input) { id version } }`;
const RELATE = `mutation($input: [RelationshipInput!]!) { relate(input: $input) { type } }`;
const UNRELATE = `mutation($input: [RelationshipKey!]!) { unrelate(input: $input) }`;
const DELETE = `mutation($ids: [ID!]!) { deleteAssets(ids: $ids) }`;
const REPORT = `mutation($input: [StateReport!]!) { reportState(input: $input) { accepted duplicate stale rejected results { outcome reason } } }`;

const STATE_SUB = `subscription($ids: [ID!], $kinds: [String!], $within: Neighbourhood) {
  assetStateChanged(ids: $ids, kinds: $kinds, within: $within) {
    assetId kind changed observedAt version asset { id kind version state }
  } }`;
const TOPOLOGY_SUB = `subscription { topologyChanged { change at asset { id kind }
  relationship { type from { id kind } to { id kind } properties } } }`;

type StateEvent = { assetStateChanged: { assetId: string; kind: string; changed: Record<string, unknown>; observedAt: string; version: number; asset: any } };
type TopologyEvent = { topologyChanged: { change: string; at: string; asset: { id: string; kind: string } | null; relationship: any } };

/** Observation times that only move forward, starting an hour ago (well within the future-skew limit). */
let clock = Date.now() - 3_600_000;
const tick = () => new Date((clock += 1000)).toISOString();

const wsUrl = (s: TestServer) => s.url.replace(/^http/, 'ws');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class TimeoutError extends Error {}

/** The events of one subscription, in arrival order, read one at a time. */
class Events<T> {
  private readonly items: FormattedExecutionResult<T, unknown>[] = [];
  private waiter: (() => void) | null = null;
  error: unknown = null;
  completed = false;
  readonly unsubscribe: () => void;

  constructor(client: Client, query: string, variables?: Record<string, unknown>) {
    this.unsubscribe = client.subscribe<T>({ query, variables }, {
      next: (result) => this.wake(() => this.items.push(result)),
      error: (err) => this.wake(() => (this.error = err)),
      complete: () => this.wake(() => (this.completed = true)),
    });
  }

  /** The next result (data or errors); rejects on a transport error, completion or timeout. */
  async next(timeoutMs = 5000): Promise<FormattedExecutionResult<T, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      if (this.error) throw new Error(`subscription failed: ${JSON.stringify(this.error)}`);
      if (this.completed) throw new Error('subscription completed');
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.items.shift()!;
  }

  async data(timeoutMs?: number): Promise<T> {
    const result = await this.next(timeoutMs);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  /** Read (and drop) results until none comes for `quietMs`. */
  async drain(quietMs = 250): Promise<void> {
    for (;;) {
      try {
        await this.next(quietMs);
      } catch (err) {
        if (err instanceof TimeoutError) return;
        throw err;
      }
    }
  }

  /** Wait until the subscription is done (completed or failed). */
  async settled(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.completed && !this.error && Date.now() < deadline) await sleep(10);
  }

  /**
   * Make sure the subscription is live: repeat `poke(n)` (each causing one event this
   * subscription matches) until one arrives, then read up to the last poke's event, so that
   * nothing of the warm-up is left to read.
   */
  async until(poke: (n: number) => Promise<string>, isPoke: (data: T, token: string) => boolean, attempts = 50): Promise<void> {
    for (let n = 1; n <= attempts; n++) {
      const token = await poke(n);
      let result: FormattedExecutionResult<T, unknown>;
      try {
        result = await this.next(150);
      } catch (err) {
        if (err instanceof TimeoutError) continue;
        throw err;
      }
      while (!isPoke(result.data!, token)) result = await this.next();
      return;
    }
    throw new Error(`the subscription delivered nothing after ${attempts} attempts`);
  }

  private wake(change: () => void): void {
    change();
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

interface TestClient {
  client: Client;
  /** The underlying WebSocket, once connected. */
  socket(): WebSocket;
  /** Close event of the connection, once closed. */
  closed: Promise<{ code: number; reason: string }>;
  subscribe<T>(query: string, variables?: Record<string, unknown>): Events<T>;
}

const clients: Client[] = [];
const servers: TestServer[] = [];

async function server(env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startTestServer({ env });
  servers.push(s);
  return s;
}

async function connect(s: TestServer, connectionParams?: Record<string, unknown>): Promise<TestClient> {
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
  }
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: wsUrl(s),
    webSocketImpl: TrackedWebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams,
    // Connection failures are observed through `closed`.
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: unknown };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  clients.push(client);
  await connected;
  return {
    client,
    socket: () => sockets[sockets.length - 1],
    closed,
    subscribe: <T>(query: string, variables?: Record<string, unknown>) => new Events<T>(client, query, variables),
  };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A/B powered rack with two servers and a service that needs both, plus a spare rack. */
async function seedPowerChain(s: TestServer) {
  const assets = [
    { id: 'feed-a', kind: 'UtilityFeed' },
    { id: 'ups-a', kind: 'UPS' },
    { id: 'ups-b', kind: 'UPS' },
    { id: 'rack-1', kind: 'Rack' },
    { id: 'rack-2', kind: 'Rack' },
    { id: 'srv-1', kind: 'Server' },
    { id: 'svc-web', kind: 'Service' },
  ];
  const relationships = [
    { from: 'feed-a', to: 'ups-a', type: 'FEEDS' },
    { from: 'ups-a', to: 'rack-1', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
    { from: 'ups-b', to: 'rack-1', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
    { from: 'rack-1', to: 'srv-1', type: 'HOSTS' },
    { from: 'svc-web', to: 'srv-1', type: 'RUNS_ON' },
  ];
  expect((await s.gql(UPSERT, { input: assets })).errors).toBeUndefined();
  expect((await s.gql(RELATE, { input: relationships })).errors).toBeUndefined();
}

/** A metric each kind of the power chain accepts. */
const METRIC: Record<string, string> = { UtilityFeed: 'loadKw', UPS: 'loadKw', Rack: 'powerKw', Server: 'powerKw', Service: 'latencyMs' };
const KIND: Record<string, string> = { 'feed-a': 'UtilityFeed', 'ups-a': 'UPS', 'ups-b': 'UPS', 'rack-1': 'Rack', 'rack-2': 'Rack', 'srv-1': 'Server', 'svc-web': 'Service' };

/** Report one accepted value for each asset, in order; returns the observation times. */
async function report(s: TestServer, ids: string[], value = 1): Promise<string[]> {
  const times = ids.map(() => tick());
  const res = await s.gql(REPORT, { input: ids.map((id, i) => ({ assetId: id, observedAt: times[i], values: { [METRIC[KIND[id]]]: value } })) });
  expect(res.errors).toBeUndefined();
  expect(res.data.reportState.accepted).toBe(ids.length);
  return times;
}

/** Warm a state subscription up with reports on `id`, which it must match. */
const stateReady = (s: TestServer, sub: Events<StateEvent>, id: string) =>
  sub.until(async () => (await report(s, [id]))[0], (d, token) => d.assetStateChanged.assetId === id && d.assetStateChanged.observedAt === token);

/**
 * Several state subscriptions on one connection: each one's warm-up may reach the others, so
 * once all are live, drop what the warm-ups left behind.
 */
async function statesReady(s: TestServer, subs: [Events<StateEvent>, string][]): Promise<void> {
  for (const [sub, id] of subs) await stateReady(s, sub, id);
  await Promise.all(subs.map(([sub]) => sub.drain()));
}

/** Warm a topology subscription up with new assets. */
const topologyReady = (s: TestServer, sub: Events<TopologyEvent>) => {
  const prefix = `poke-${Math.random().toString(36).slice(2, 8)}`;
  return sub.until(
    async (n) => {
      await s.gql(UPSERT, { input: [{ id: `${prefix}-${n}`, kind: 'Sensor' }] });
      return `${prefix}-${n}`;
    },
    (d, token) => d.topologyChanged.asset?.id === token,
  );
};

describe('assetStateChanged', () => {
  it('delivers ACCEPTED changes only, with what changed and the asset after the change', async () => {
    const s = await server();
    await seedPowerChain(s);
    const c = await connect(s);
    const sub = c.subscribe<StateEvent>(STATE_SUB);
    await stateReady(s, sub, 'rack-1');

    const t0 = tick();
    const t1 = tick();
    const res = await s.gql(REPORT, {
      input: [
        { assetId: 'rack-1', observedAt: t1, values: { powerKw: 7.5, inletTempC: 24 }, eventId: 'evt-1' },
        { assetId: 'rack-1', observedAt: t0, values: { powerKw: 3 } }, // older: STALE
        { assetId: 'rack-1', observedAt: tick(), values: { powerKw: 9 }, eventId: 'evt-1' }, // repeated eventId: DUPLICATE
        { assetId: 'rack-1', observedAt: tick(), values: { powerKw: 999 } }, // out of range: REJECTED
        { assetId: 'ghost', observedAt: tick(), values: { powerKw: 1 } }, // unknown asset: REJECTED
      ],
    });
    expect(res.data.reportState).toMatchObject({ accepted: 1, stale: 1, duplicate: 1, rejected: 2 });
    const [sentinel] = await report(s, ['rack-1'], 8);

    const first = (await sub.data()).assetStateChanged;
    expect(first).toMatchObject({ assetId: 'rack-1', kind: 'Rack', changed: { powerKw: 7.5, inletTempC: 24 }, observedAt: t1 });
    expect(first.asset).toMatchObject({ id: 'rack-1', kind: 'Rack', version: first.version, state: { powerKw: 7.5, inletTempC: 24 } });
    // Nothing from the stale, duplicate or rejected reports comes between.
    expect((await sub.data()).assetStateChanged).toMatchObject({ assetId: 'rack-1', observedAt: sentinel, changed: { powerKw: 8 } });
  });

  it('narrows by ids and kinds; several subscriptions share one connection', async () => {
    const s = await server();
    await seedPowerChain(s);
    const c = await connect(s);
    const byId = c.subscribe<StateEvent>(STATE_SUB, { ids: ['rack-2'] });
    const byKind = c.subscribe<StateEvent>(STATE_SUB, { kinds: ['UPS'] });
    const both = c.subscribe<StateEvent>(STATE_SUB, { ids: ['ups-a', 'rack-1'], kinds: ['UPS'] });
    await statesReady(s, [[byId, 'rack-2'], [byKind, 'ups-b'], [both, 'ups-a']]);

    await report(s, ['rack-1', 'ups-b', 'rack-2', 'srv-1', 'ups-a']);
    expect((await byId.data()).assetStateChanged.assetId).toBe('rack-2');
    expect((await byKind.data()).assetStateChanged.assetId).toBe('ups-b');
    expect((await byKind.data()).assetStateChanged.assetId).toBe('ups-a');
    expect((await both.data()).assetStateChanged.assetId).toBe('ups-a');

    await report(s, ['srv-1', 'rack-1', 'rack-2', 'ups-a']);
    expect((await byId.data()).assetStateChanged.assetId).toBe('rack-2');
    expect((await byKind.data()).assetStateChanged.assetId).toBe('ups-a');
    expect((await both.data()).assetStateChanged.assetId).toBe('ups-a');
  });

  it('narrows to a neighbourhood along dependency edges that follows relate and unrelate', async () => {
    const s = await server();
    await seedPowerChain(s);
    const c = await connect(s);
    const down = c.subscribe<StateEvent>(STATE_SUB, { within: { root: 'ups-a', maxDepth: 1, direction: 'DOWNSTREAM' } });
    const up = c.subscribe<StateEvent>(STATE_SUB, { within: { root: 'srv-1', maxDepth: 2, direction: 'UPSTREAM' } });
    const around = c.subscribe<StateEvent>(STATE_SUB, { within: { root: 'rack-1', maxDepth: 1 } });
    await statesReady(s, [[down, 'ups-a'], [up, 'srv-1'], [around, 'rack-1']]);

    // down: ups-a, rack-1. up: srv-1, rack-1, ups-a, ups-b. around (BOTH, 1 hop): rack-1, ups-a, ups-b, srv-1.
    await report(s, ['feed-a', 'svc-web', 'srv-1', 'rack-2', 'rack-1', 'ups-b']);
    expect((await down.data()).assetStateChanged.assetId).toBe('rack-1');
    expect((await up.data()).assetStateChanged.assetId).toBe('srv-1');
    expect((await up.data()).assetStateChanged.assetId).toBe('rack-1');
    expect((await up.data()).assetStateChanged.assetId).toBe('ups-b');
    expect((await around.data()).assetStateChanged.assetId).toBe('srv-1');
    expect((await around.data()).assetStateChanged.assetId).toBe('rack-1');
    expect((await around.data()).assetStateChanged.assetId).toBe('ups-b');

    // ups-a now also feeds rack-2: rack-2 joins the downstream neighbourhood.
    expect((await s.gql(RELATE, { input: [{ from: 'ups-a', to: 'rack-2', type: 'FEEDS' }] })).errors).toBeUndefined();
    await stateReady(s, down, 'rack-2');

    // A structural relationship is not a dependency: it changes nothing.
    expect((await s.gql(RELATE, { input: [{ from: 'rack-1', to: 'feed-a', type: 'CONNECTS_TO' }] })).errors).toBeUndefined();

    // Unrelated again: rack-2 leaves it.
    expect((await s.gql(UNRELATE, { input: [{ from: 'ups-a', to: 'rack-2', type: 'FEEDS' }] })).data.unrelate).toBe(1);
    await sleep(500);
    await report(s, ['rack-2', 'feed-a', 'rack-1']);
    expect((await down.data()).assetStateChanged.assetId).toBe('rack-1');
  });

  it('resolves each event with fresh loaders: relationships made between events show up', async () => {
    const s = await server();
    await seedPowerChain(s);
    const c = await connect(s);
    const sub = c.subscribe<any>(`subscription { assetStateChanged(ids: ["rack-2"]) {
      assetId observedAt asset { id relationships { type from { id kind } } dependencies { asset { id } } } } }`);
    await sub.until(async () => (await report(s, ['rack-2']))[0], (d, at) => d.assetStateChanged.observedAt === at);
    await report(s, ['rack-2']);
    expect((await sub.data()).assetStateChanged.asset).toEqual({ id: 'rack-2', relationships: [], dependencies: [] });
    await s.gql(RELATE, { input: [{ from: 'ups-b', to: 'rack-2', type: 'FEEDS' }] });
    await report(s, ['rack-2']);
    expect((await sub.data()).assetStateChanged.asset).toEqual({
      id: 'rack-2',
      relationships: [{ type: 'FEEDS', from: { id: 'ups-b', kind: 'UPS' } }],
      dependencies: [{ asset: { id: 'ups-b' } }],
    });
  });

  it('shares one neighbourhood among subscriptions with the same root, depth and direction, and caps the distinct ones', async () => {
    const calls = new Map<string, number>();
    // Walks counted in the store: without the topology index, which would answer them from memory.
    const s = await startTestServer({ env: { WS_MAX_NEIGHBOURHOODS: '2', TOPOLOGY_INDEX_MAX_ASSETS: '0' }, wrapStore: (store) => countingStore(store, calls) });
    servers.push(s);
    await seedPowerChain(s);
    const c = await connect(s);
    const walks = () => calls.get('dependencyNeighboursWithin') ?? 0;
    const downstream = { root: 'ups-a', maxDepth: 1, direction: 'DOWNSTREAM' };
    const before = walks();
    const first = c.subscribe<StateEvent>(STATE_SUB, { within: downstream });
    const second = c.subscribe<StateEvent>(STATE_SUB, { within: downstream });
    await statesReady(s, [[first, 'ups-a'], [second, 'ups-a']]);
    // One walk for both, and both see the neighbourhood's events.
    expect(walks() - before).toBe(1);
    await report(s, ['srv-1', 'rack-1']);
    expect((await first.data()).assetStateChanged.assetId).toBe('rack-1');
    expect((await second.data()).assetStateChanged.assetId).toBe('rack-1');

    // A second distinct neighbourhood fits under WS_MAX_NEIGHBOURHOODS=2, a third does not...
    const around = c.subscribe<StateEvent>(STATE_SUB, { within: { root: 'rack-1', maxDepth: 1 } });
    await statesReady(s, [[around, 'rack-1']]);
    const upstream = { root: 'srv-1', maxDepth: 1, direction: 'UPSTREAM' };
    const refused = await c.subscribe<StateEvent>(STATE_SUB, { within: upstream }).next();
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'TOO_MANY_NEIGHBOURHOODS', limit: 2 } });
    expect(refused.errors?.[0].message).toMatch(/at most 2 \(WS_MAX_NEIGHBOURHOODS\)/);
    // ...while one more subscription to an existing neighbourhood is always taken.
    const third = c.subscribe<StateEvent>(STATE_SUB, { within: downstream });
    await statesReady(s, [[third, 'ups-a']]);

    // When its last subscription ends, a neighbourhood frees its place (the server sees the end shortly after).
    around.unsubscribe();
    let accepted: Events<StateEvent> | null = null;
    for (let attempt = 0; attempt < 50 && !accepted; attempt++) {
      const sub = c.subscribe<StateEvent>(STATE_SUB, { within: upstream });
      try {
        const result = await sub.next(200);
        if (!result.errors) throw new Error(`unexpected event ${JSON.stringify(result.data)}`);
        await sleep(50);
      } catch (err) {
        if (!(err instanceof TimeoutError)) throw err;
        accepted = sub; // no error within 200 ms: subscribed
      }
    }
    expect(accepted).not.toBeNull();
    await statesReady(s, [[accepted!, 'srv-1']]);
  });

  it('validates its arguments like the rest of the API', async () => {
    const s = await server({ MAX_TRAVERSAL_DEPTH: '5' });
    await seedPowerChain(s);
    const c = await connect(s);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ids: ['has space'] }, 'BAD_USER_INPUT', 'ids[0]'],
      [{ ids: [] }, 'BAD_USER_INPUT', 'ids'],
      [{ kinds: ['Rack', 'Toaster'] }, 'BAD_USER_INPUT', 'kinds[1]'],
      [{ within: { root: 'ghost' } }, 'NOT_FOUND', 'within.root'],
      [{ within: { root: 'ups-a', maxDepth: 6 } }, 'BAD_USER_INPUT', 'within.maxDepth'],
    ];
    for (const [variables, code, field] of cases) {
      const sub = c.subscribe<StateEvent>(STATE_SUB, variables);
      const result = await sub.next();
      expect(result.errors?.[0]).toMatchObject({ extensions: { code, field } });
      expect(result.errors?.[0].message).toContain(field);
      await sub.settled();
      expect(sub.completed).toBe(true);
    }
  });
});

describe('topologyChanged', () => {
  it('reports assets and relationships created, updated and deleted, with both endpoints', async () => {
    const s = await server();
    await seedPowerChain(s);
    const c = await connect(s);
    const sub = c.subscribe<TopologyEvent>(TOPOLOGY_SUB);
    await topologyReady(s, sub);
    const next = async () => (await sub.data()).topologyChanged;

    await s.gql(UPSERT, { input: [{ id: 'pdu-1', kind: 'PDU' }, { id: 'ups-a', kind: 'UPS' }] }); // ups-a unchanged: no event
    const created = await next();
    expect(created).toMatchObject({ change: 'ASSET_UPSERTED', asset: { id: 'pdu-1', kind: 'PDU' }, relationship: null });
    expect(Date.parse(created.at)).toBeGreaterThan(0);
    await s.gql(UPSERT, { input: [{ id: 'pdu-1', kind: 'PDU', name: 'PDU 1' }] });
    expect(await next()).toMatchObject({ change: 'ASSET_UPSERTED', asset: { id: 'pdu-1', kind: 'PDU' } });

    await s.gql(RELATE, { input: [{ from: 'ups-b', to: 'pdu-1', type: 'FEEDS', properties: { redundancyGroup: 'g1' } }, { from: 'pdu-1', to: 'rack-2', type: 'FEEDS' }] });
    expect(await next()).toMatchObject({
      change: 'RELATIONSHIP_UPSERTED',
      asset: null,
      relationship: { type: 'FEEDS', from: { id: 'ups-b', kind: 'UPS' }, to: { id: 'pdu-1', kind: 'PDU' }, properties: { redundancyGroup: 'g1' } },
    });
    expect(await next()).toMatchObject({ change: 'RELATIONSHIP_UPSERTED', relationship: { from: { id: 'pdu-1', kind: 'PDU' }, to: { id: 'rack-2', kind: 'Rack' } } });

    // Unrelating a relationship that does not exist publishes nothing.
    await s.gql(UNRELATE, { input: [{ from: 'ups-b', to: 'pdu-1', type: 'FEEDS' }, { from: 'ups-b', to: 'rack-2', type: 'FEEDS' }] });
    expect(await next()).toMatchObject({
      change: 'RELATIONSHIP_DELETED',
      relationship: { type: 'FEEDS', from: { id: 'ups-b', kind: 'UPS' }, to: { id: 'pdu-1', kind: 'PDU' }, properties: { redundancyGroup: 'g1' } },
    });

    // Deleting an asset removes its relationships: each is reported, then the asset.
    await s.gql(RELATE, { input: [{ from: 'ups-a', to: 'pdu-1', type: 'FEEDS' }] });
    await next();
    expect((await s.gql(DELETE, { ids: ['pdu-1', 'ghost'] })).data.deleteAssets).toBe(1);
    const deleted = [await next(), await next(), await next()];
    expect(deleted.slice(0, 2).map((e) => [e.change, e.relationship.from.id, e.relationship.to.id, e.relationship.to.kind]).sort()).toEqual([
      ['RELATIONSHIP_DELETED', 'pdu-1', 'rack-2', 'Rack'],
      ['RELATIONSHIP_DELETED', 'ups-a', 'pdu-1', 'PDU'],
    ]);
    expect(deleted[2]).toMatchObject({ change: 'ASSET_DELETED', asset: { id: 'pdu-1', kind: 'PDU' } });

    // A bulk import publishes what it wrote, not what it rejected.
    const imported = await s.gql(
      `mutation($assets: [AssetInput!], $relationships: [RelationshipInput!]) {
        importTopology(assets: $assets, relationships: $relationships) { assets { written rejected } relationships { written rejected } } }`,
      {
        assets: [{ id: 'crah-1', kind: 'CRAH' }, { id: 'bad', kind: 'Toaster' }],
        relationships: [{ from: 'crah-1', to: 'rack-1', type: 'COOLS' }, { from: 'crah-1', to: 'ghost', type: 'COOLS' }],
      },
    );
    expect(imported.data.importTopology).toEqual({ assets: { written: 1, rejected: 1 }, relationships: { written: 1, rejected: 1 } });
    expect(await next()).toMatchObject({ change: 'ASSET_UPSERTED', asset: { id: 'crah-1', kind: 'CRAH' } });
    expect(await next()).toMatchObject({ change: 'RELATIONSHIP_UPSERTED', relationship: { type: 'COOLS', from: { id: 'crah-1', kind: 'CRAH' }, to: { id: 'rack-1', kind: 'Rack' } } });

    // Nothing else was published in between.
    await s.gql(UPSERT, { input: [{ id: 'last', kind: 'Site' }] });
    expect(await next()).toMatchObject({ change: 'ASSET_UPSERTED', asset: { id: 'last' } });
  });
});

/** A metric's value on the server's /metrics, e.g. twin_subscription_executions_active. */
async function metric(s: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${new URL(s.url).origin}/metrics`)).text();
  return sampleValue(parsePrometheusText(text), name);
}

describe('shared execution', () => {
  it('runs one execution for the subscribers of one document, variables and role, each getting the payload it would get alone', async () => {
    const s = await server();
    await seedPowerChain(s);
    const [a, b, c] = [await connect(s), await connect(s), await connect(s)];
    // The same variables in another key order share; other variables do not.
    const first = a.subscribe<StateEvent>(STATE_SUB, { ids: ['rack-1', 'ups-a'], kinds: ['Rack', 'UPS'] });
    const second = b.subscribe<StateEvent>(STATE_SUB, { kinds: ['Rack', 'UPS'], ids: ['rack-1', 'ups-a'] });
    const other = c.subscribe<StateEvent>(STATE_SUB, { ids: ['rack-1'] });
    await statesReady(s, [[first, 'rack-1'], [second, 'ups-a'], [other, 'rack-1']]);
    await Promise.all([first, second, other].map((sub) => sub.drain()));
    expect(await metric(s, 'twin_subscriptions_active')).toBe(3);
    expect(await metric(s, 'twin_subscription_executions_active')).toBe(2);
    const deliveredBefore = await metric(s, 'twin_subscription_deliveries_total');

    await report(s, ['ups-a', 'srv-1', 'rack-1'], 4);
    const shared = [await first.next(), await first.next()];
    expect(shared.map((r) => r.data!.assetStateChanged.assetId)).toEqual(['ups-a', 'rack-1']);
    expect(shared[1].data!.assetStateChanged.asset).toMatchObject({ id: 'rack-1', state: { powerKw: 4 } });
    expect([await second.next(), await second.next()]).toEqual(shared);
    expect(await other.next()).toEqual(shared[1]);
    expect(await metric(s, 'twin_subscription_deliveries_total')).toBe(deliveredBefore + 5);

    // One subscriber leaving leaves the others theirs; the last one ends the execution.
    first.unsubscribe();
    await report(s, ['rack-1'], 5);
    expect((await second.data()).assetStateChanged.asset.state.powerKw).toBe(5);
    expect((await other.data()).assetStateChanged.asset.state.powerKw).toBe(5);
    expect(first.completed || (await first.next(300).catch(() => null)) === null).toBe(true);
    second.unsubscribe();
    other.unsubscribe();
    const deadline = Date.now() + 5000;
    while ((await metric(s, 'twin_subscription_executions_active')) > 0 && Date.now() < deadline) await sleep(20);
    expect(await metric(s, 'twin_subscription_executions_active')).toBe(0);
  });

  it('does not share between roles', async () => {
    const s = await server(AUTH_ENV);
    const admin = (query: string, variables?: object) => gql(s, query, KEYS.admin, variables);
    expect((await admin(UPSERT, { input: [{ id: 'rack-1', kind: 'Rack' }] })).body.errors).toBeUndefined();
    const viewers = [await connect(s, { authorization: `Bearer ${KEYS.viewer}` }), await connect(s, { authorization: `Bearer ${KEYS.viewer}` })];
    const operator = await connect(s, { authorization: `Bearer ${KEYS.operator}` });
    const subs = [...viewers, operator].map((c) => c.subscribe<StateEvent>(STATE_SUB, { ids: ['rack-1'] }));
    const reportRack = async (value: number) => {
      const t = tick();
      const res = await gql(s, REPORT, KEYS.operator, { input: [{ assetId: 'rack-1', observedAt: t, values: { powerKw: value } }] });
      expect(res.body.data.reportState.accepted).toBe(1);
      return t;
    };
    for (const sub of subs) await sub.until(() => reportRack(1), (d, t) => d.assetStateChanged.observedAt === t);
    await Promise.all(subs.map((sub) => sub.drain()));
    expect(await metric(s, 'twin_subscription_executions_active')).toBe(2);
  });
});

describe('resuming with after', () => {
  const RESUMABLE = `subscription($ids: [ID!], $after: String) { assetStateChanged(ids: $ids, after: $after) { assetId observedAt cursor gap } }`;
  type Resumable = { assetStateChanged: { assetId: string; observedAt: string; cursor: string; gap: boolean } };
  /** A rack-1 subscriber on `c` that saw one event and went away: the cursor it would resume from. */
  const lastCursorSeen = async (s: TestServer, c: TestClient) => {
    const first = c.subscribe<Resumable>(RESUMABLE, { ids: ['rack-1'] });
    await first.until(async () => (await report(s, ['rack-1']))[0], (d, t) => d.assetStateChanged.observedAt === t);
    await report(s, ['rack-1']);
    const { cursor } = (await first.data()).assetStateChanged;
    first.unsubscribe();
    return cursor;
  };
  const read = async (sub: Events<Resumable>, n: number) => {
    const events: Resumable['assetStateChanged'][] = [];
    while (events.length < n) events.push((await sub.data()).assetStateChanged);
    return events;
  };

  it('replays every matching event missed since the cursor, in order, then live ones, none twice, sharing the live execution', async () => {
    const s = await server();
    await seedPowerChain(s);
    const c = await connect(s);
    // Another dashboard watches the same assets all along.
    const stay = (await connect(s)).subscribe<Resumable>(RESUMABLE, { ids: ['rack-1'] });
    await stay.until(async () => (await report(s, ['rack-1']))[0], (d, t) => d.assetStateChanged.observedAt === t);
    const first = c.subscribe<Resumable>(RESUMABLE, { ids: ['rack-1'] });
    await first.until(async () => (await report(s, ['rack-1']))[0], (d, t) => d.assetStateChanged.observedAt === t);
    const [seen] = await report(s, ['rack-1']);
    const last = (await first.data()).assetStateChanged;
    expect(last).toMatchObject({ observedAt: seen, gap: false });
    first.unsubscribe();
    await stay.drain();

    // Away: three events it matches, two it does not.
    const missed = await report(s, ['rack-1', 'ups-a', 'rack-1', 'srv-1', 'rack-1']);
    const again = c.subscribe<Resumable>(RESUMABLE, { ids: ['rack-1'], after: last.cursor });
    const replayed = await read(again, 3);
    expect(replayed.map((e) => e.observedAt)).toEqual([missed[0], missed[2], missed[4]]);
    expect(replayed.every((e) => e.assetId === 'rack-1' && !e.gap)).toBe(true);
    // Then live, with nothing repeated at the seam; cursors only move forward.
    const [live] = await report(s, ['rack-1']);
    expect((await again.data()).assetStateChanged.observedAt).toBe(live);
    await expect(again.next(300)).rejects.toThrow(/no event/);
    expect((await read(stay, 4)).map((e) => e.observedAt)).toEqual([missed[0], missed[2], missed[4], live]);
    expect(await metric(s, 'twin_subscription_executions_active')).toBe(1);
    expect(new Set(replayed.map((e) => e.cursor)).size).toBe(3);
    expect(await metric(s, 'twin_subscription_replayed_events_total')).toBe(3);
  });

  it('marks the first event with gap when events after the cursor were no longer kept', async () => {
    const s = await server({ LIVE_REPLAY_MAX_EVENTS: '2' });
    await seedPowerChain(s);
    const c = await connect(s);
    const cursor = await lastCursorSeen(s, c);

    const missed = await report(s, ['rack-1', 'rack-1', 'rack-1', 'rack-1']);
    const again = c.subscribe<Resumable>(RESUMABLE, { ids: ['rack-1'], after: cursor });
    const replayed = await read(again, 2);
    expect(replayed.map((e) => [e.observedAt, e.gap])).toEqual([
      [missed[2], true],
      [missed[3], false],
    ]);

    // A cursor from before this process (no Redis), with nothing to replay: the next event carries the gap.
    const stale = c.subscribe<Resumable>(RESUMABLE, { ids: ['ups-a'], after: '1-1' });
    const [next, then] = await report(s, ['ups-a', 'ups-a']);
    expect((await read(stale, 2)).map((e) => [e.observedAt, e.gap])).toEqual([
      [next, true],
      [then, false],
    ]);
  });

  it('gives each of several subscribers resuming from one cursor at once every missed event once, then live ones', async () => {
    const s = await server();
    await seedPowerChain(s);
    const c = await connect(s);
    const cursor = await lastCursorSeen(s, c);

    const missed = await report(s, ['rack-1', 'srv-1', 'rack-1', 'rack-1']);
    const back = await Promise.all([connect(s), connect(s), connect(s)]);
    const subs = back.map((b) => b.subscribe<Resumable>(RESUMABLE, { ids: ['rack-1'], after: cursor }));
    const [during] = await report(s, ['rack-1']);
    for (const sub of subs) expect((await read(sub, 4)).map((e) => e.observedAt)).toEqual([missed[0], missed[2], missed[3], during]);
    const [live] = await report(s, ['rack-1']);
    for (const sub of subs) expect((await sub.data()).assetStateChanged.observedAt).toBe(live);
    for (const sub of subs) await expect(sub.next(200)).rejects.toThrow(/no event/);
  });

  it('resumes topologyChanged too, with $after declared non-null', async () => {
    const s = await server();
    const c = await connect(s);
    type Topology = { topologyChanged: { cursor: string; change: string; asset: { id: string } | null } };
    const first = c.subscribe<Topology>(`subscription { topologyChanged { cursor change asset { id } } }`);
    await first.until(
      async (n) => {
        await s.gql(UPSERT, { input: [{ id: `poke-${n}`, kind: 'Sensor' }] });
        return `poke-${n}`;
      },
      (d, id) => d.topologyChanged.asset?.id === id,
    );
    await s.gql(UPSERT, { input: [{ id: 'seen', kind: 'Sensor' }] });
    const { cursor } = (await first.data()).topologyChanged;
    first.unsubscribe();

    await s.gql(UPSERT, { input: [{ id: 'missed-1', kind: 'Sensor' }, { id: 'missed-2', kind: 'Sensor' }] });
    const again = c.subscribe<Topology>(`subscription($after: String!) { topologyChanged(after: $after) { cursor change asset { id } } }`, { after: cursor });
    const ids: (string | undefined)[] = [];
    while (ids.length < 2) ids.push((await again.data()).topologyChanged.asset?.id);
    expect(ids).toEqual(['missed-1', 'missed-2']);
    await s.gql(UPSERT, { input: [{ id: 'live', kind: 'Sensor' }] });
    expect((await again.data()).topologyChanged.asset?.id).toBe('live');
  });

  it('refuses a cursor that is not one', async () => {
    const s = await server();
    const c = await connect(s);
    for (const after of ['', 'latest', '1-2-3', '12']) {
      const sub = c.subscribe<Resumable>(RESUMABLE, { after });
      const result = await sub.next();
      expect(result.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^after: .* is not a cursor/), extensions: { code: 'BAD_USER_INPUT' } });
    }
  });
});

describe('limits', () => {
  it('refuses a subscription beyond WS_MAX_SUBSCRIPTIONS with an error, keeping the others', async () => {
    const s = await server({ WS_MAX_SUBSCRIPTIONS: '2' });
    await seedPowerChain(s);
    const c = await connect(s);
    const a = c.subscribe<StateEvent>(STATE_SUB, { ids: ['rack-1'] });
    const b = c.subscribe<TopologyEvent>(TOPOLOGY_SUB);
    const extra = c.subscribe<StateEvent>(STATE_SUB);
    await extra.settled();
    expect(extra.error).toEqual([expect.objectContaining({ message: expect.stringContaining('WS_MAX_SUBSCRIPTIONS'), extensions: expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 2 }) })]);

    await stateReady(s, a, 'rack-1');
    await topologyReady(s, b);
    // The limit counts subscriptions at once: after one ends, another may start.
    b.unsubscribe();
    const again = c.subscribe<StateEvent>(STATE_SUB, { ids: ['ups-a'] });
    await stateReady(s, again, 'ups-a');
  });

  it.each([
    ['unsent bytes', { WS_MAX_BUFFERED_BYTES: '65536' }, /^slow consumer: more than 65536 bytes unsent \(WS_MAX_BUFFERED_BYTES\)$/],
    ['queued events', { WS_MAX_QUEUED_EVENTS: '5', WS_MAX_BUFFERED_BYTES: String(1024 ** 3) }, /^slow consumer: more than 5 events waiting to be sent \(WS_MAX_QUEUED_EVENTS\)$/],
  ])('disconnects a consumer that stops reading (1008, too many %s) instead of buffering for it', async (_, env, reason) => {
    const s = await server(env);
    await seedPowerChain(s);
    // Big events (the asset's properties come with each) fill the socket buffers quickly.
    const properties = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`blob${i}`, 'x'.repeat(10_000)]));
    await s.gql(UPSERT, { input: [{ id: 'rack-1', kind: 'Rack', properties }] });
    const serverSockets: Socket[] = [];
    s.app.server.httpServer.on('upgrade', (_req, socket: Socket) => serverSockets.push(socket));

    const slow = await connect(s);
    const bigEvents = `subscription { assetStateChanged(ids: ["rack-1"]) { assetId observedAt asset { properties } } }`;
    const sub = slow.subscribe<StateEvent>(bigEvents);
    await stateReady(s, sub, 'rack-1');
    // A subscriber that shares the slow one's execution, and one on another subscription.
    const twin = (await connect(s)).subscribe<StateEvent>(bigEvents);
    await stateReady(s, twin, 'rack-1');
    await sub.drain();
    const healthy = await connect(s);
    const other = healthy.subscribe<StateEvent>(STATE_SUB, { ids: ['ups-a'] });
    await stateReady(s, other, 'ups-a');

    // The client stops reading; events pile up until the server's own buffer holds data.
    slow.socket().pause();
    const serverSide = serverSockets[0];
    // Data still waiting after a turn of the event loop, when the server's writes of that turn
    // have gone out: what the socket could not take.
    const backedUp = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return serverSide.writableLength > 0;
    };
    let sent = 0;
    while (!(await backedUp()) && sent < 2000) {
      await report(s, ['rack-1']);
      sent++;
    }
    expect(await backedUp()).toBe(true);
    // A few more events than the limits allow.
    for (let i = 0; i < 7; i++) await report(s, ['rack-1']);

    // Reading again, the client finds the close frame behind what was already sent.
    slow.socket().resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(reason);

    // Other connections are not affected, the one sharing its execution included.
    await report(s, ['ups-a']);
    expect((await other.data()).assetStateChanged.assetId).toBe('ups-a');
    await twin.drain();
    const [last] = await report(s, ['rack-1']);
    expect((await twin.data()).assetStateChanged.observedAt).toBe(last);
  });

  it('closes a connection that sends a message above WS_MAX_PAYLOAD_BYTES (1009)', async () => {
    const s = await server({ WS_MAX_PAYLOAD_BYTES: '2048' });
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const c = await connect(s);
      const sub = c.subscribe<StateEvent>(STATE_SUB, { ids: Array.from({ length: 200 }, (_, i) => `asset-${i}`) });
      const closed = await c.closed;
      expect(closed.code).toBe(1009);
      await sub.settled();
      expect(sub.error).toBeTruthy();

      // Messages under the limit are fine.
      const ok = await connect(s);
      const small = ok.subscribe<TopologyEvent>(TOPOLOGY_SUB);
      await topologyReady(s, small);
    } finally {
      consoleError.mockRestore();
    }
  });
});
