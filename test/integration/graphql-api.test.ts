import { countingStore, startTestServer, type TestServer } from '../support/test-server';

/** The topology half of the GraphQL contract, over real HTTP against a SQLite file. */

const UPSERT = `mutation($input: [AssetInput!]!) { upsertAssets(input: $input) { id kind name version properties } }`;
const RELATE = `mutation($input: [RelationshipInput!]!) { relate(input: $input) { type from { id } to { id } properties } }`;

/** A/B powered rack with two servers and a service that needs both. */
async function seedPowerChain(s: TestServer) {
  const assets = [
    { id: 'feed-a', kind: 'UtilityFeed' },
    { id: 'ups-a', kind: 'UPS', name: 'UPS A', properties: { capacityKw: 500 } },
    { id: 'ups-b', kind: 'UPS', name: 'UPS B', properties: { capacityKw: 500 } },
    { id: 'rack-1', kind: 'Rack', name: 'Rack 1', properties: { row: 1 } },
    { id: 'srv-1', kind: 'Server' },
    { id: 'srv-2', kind: 'Server' },
    { id: 'svc-web', kind: 'Service' },
  ];
  const relationships = [
    { from: 'feed-a', to: 'ups-a', type: 'FEEDS' },
    { from: 'ups-a', to: 'rack-1', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
    { from: 'ups-b', to: 'rack-1', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
    { from: 'rack-1', to: 'srv-1', type: 'HOSTS' },
    { from: 'rack-1', to: 'srv-2', type: 'HOSTS' },
    { from: 'svc-web', to: 'srv-1', type: 'RUNS_ON' },
    { from: 'svc-web', to: 'srv-2', type: 'RUNS_ON' },
  ];
  expect((await s.gql(UPSERT, { input: assets })).errors).toBeUndefined();
  expect((await s.gql(RELATE, { input: relationships })).errors).toBeUndefined();
}

describe('GraphQL topology API', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(() => s.stop());

  it('creates, reads and updates assets, bumping version only on change', async () => {
    const created = await s.gql(UPSERT, { input: [{ id: 'ups-1', kind: 'UPS', name: 'UPS 1', properties: { capacityKw: 400, vendor: 'X' } }] });
    expect(created.data.upsertAssets[0]).toEqual({ id: 'ups-1', kind: 'UPS', name: 'UPS 1', version: 1, properties: { capacityKw: 400, vendor: 'X' } });
    const same = await s.gql(UPSERT, { input: [{ id: 'ups-1', kind: 'UPS', properties: { capacityKw: 400 } }] });
    expect(same.data.upsertAssets[0].version).toBe(1);
    const changed = await s.gql(UPSERT, { input: [{ id: 'ups-1', kind: 'UPS', properties: { capacityKw: 450, vendor: null } }] });
    expect(changed.data.upsertAssets[0]).toMatchObject({ version: 2, name: 'UPS 1', properties: { capacityKw: 450 } });
    const read = await s.gql(`{ asset(id: "ups-1") { id version updatedAt createdAt } missing: asset(id: "nope") { id } }`);
    expect(read.data.asset).toMatchObject({ id: 'ups-1', version: 2 });
    expect(new Date(read.data.asset.updatedAt).getTime()).toBeGreaterThan(0);
    expect(read.data.missing).toBeNull();
  });

  it('rejects bad input with BAD_USER_INPUT naming the record, and writes nothing of the batch', async () => {
    const cases: [unknown[], string][] = [
      [[{ id: 'ok-1', kind: 'UPS' }, { id: 'ok-2', kind: 'Toaster' }], 'input[1].kind'],
      [[{ id: 'ok-1', kind: 'UPS' }, { id: 'has space', kind: 'UPS' }], 'input[1].id'],
      [[{ id: 'ok-1', kind: 'UPS', properties: { nested: { a: 1 } } }], 'input[0].properties.nested'],
    ];
    for (const [input, field] of cases) {
      const res = await s.gql(UPSERT, { input });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0].message).toContain(field);
    }
    const after = await s.gql(`{ assets { totalCount } }`);
    expect(after.data.assets.totalCount).toBe(0);
  });

  it('rejects unknown relationship types and missing endpoints atomically', async () => {
    await seedPowerChain(s);
    const badType = await s.gql(RELATE, { input: [{ from: 'ups-a', to: 'srv-1', type: 'POWERS' }] });
    expect(badType.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input[0].type' });
    const missing = await s.gql(RELATE, {
      input: [
        { from: 'ups-b', to: 'srv-1', type: 'CONNECTS_TO' },
        { from: 'ups-b', to: 'ghost', type: 'FEEDS' },
      ],
    });
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', index: 1 });
    const rels = await s.gql(`{ asset(id: "ups-b") { relationships(direction: OUT) { type to { id } } } }`);
    expect(rels.data.asset.relationships).toEqual([{ type: 'FEEDS', to: { id: 'rack-1' } }]);
  });

  it('lists relationships by direction and type, relates idempotently and unrelates', async () => {
    await seedPowerChain(s);
    await s.gql(RELATE, { input: [{ from: 'ups-a', to: 'rack-1', type: 'FEEDS', properties: { redundancyGroup: 'power', minLive: 1 } }] });
    const res = await s.gql(`{ asset(id: "rack-1") {
      in: relationships(direction: IN) { type from { id } properties }
      out: relationships(direction: OUT, types: ["HOSTS"]) { to { id } } } }`);
    expect(res.data.asset.in).toEqual([
      { type: 'FEEDS', from: { id: 'ups-a' }, properties: { redundancyGroup: 'power', minLive: 1 } },
      { type: 'FEEDS', from: { id: 'ups-b' }, properties: { redundancyGroup: 'power' } },
    ]);
    expect(res.data.asset.out.map((r: any) => r.to.id)).toEqual(['srv-1', 'srv-2']);
    // The same list read with and without its properties (not selected, then through a
    // fragment, where the server cannot tell and loads them).
    const lists = await s.gql(`{ asset(id: "rack-1") {
      bare: relationships(direction: IN) { type from { id } }
      viaFragment: relationships(direction: IN) { ... on Relationship { type properties } } } }`);
    expect(lists.data.asset.bare).toEqual([{ type: 'FEEDS', from: { id: 'ups-a' } }, { type: 'FEEDS', from: { id: 'ups-b' } }]);
    expect(lists.data.asset.viaFragment).toEqual([
      { type: 'FEEDS', properties: { redundancyGroup: 'power', minLive: 1 } },
      { type: 'FEEDS', properties: { redundancyGroup: 'power' } },
    ]);
    const removed = await s.gql(`mutation { unrelate(input: [{ from: "rack-1", to: "srv-1", type: "HOSTS" }, { from: "rack-1", to: "srv-9", type: "HOSTS" }]) }`);
    expect(removed.data.unrelate).toBe(1);
  });

  it('walks dependents and dependencies with depth and path, whatever the stored direction', async () => {
    await seedPowerChain(s);
    const res = await s.gql(`{
      ups: asset(id: "ups-a") { dependents(maxDepth: 3) { depth path asset { id } } }
      svc: asset(id: "svc-web") { dependencies(maxDepth: 10) { depth asset { id } } }
      shallow: asset(id: "ups-a") { dependents { asset { id } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.ups.dependents).toEqual([
      { depth: 1, path: ['ups-a', 'rack-1'], asset: { id: 'rack-1' } },
      { depth: 2, path: ['ups-a', 'rack-1', 'srv-1'], asset: { id: 'srv-1' } },
      { depth: 2, path: ['ups-a', 'rack-1', 'srv-2'], asset: { id: 'srv-2' } },
      { depth: 3, path: ['ups-a', 'rack-1', 'srv-1', 'svc-web'], asset: { id: 'svc-web' } },
    ]);
    expect(res.data.svc.dependencies.map((h: any) => [h.asset.id, h.depth])).toEqual([
      ['srv-1', 1], ['srv-2', 1], ['rack-1', 2], ['ups-a', 3], ['ups-b', 3], ['feed-a', 4],
    ]);
    expect(res.data.shallow.dependents).toEqual([{ asset: { id: 'rack-1' } }]);
  });

  it('refuses maxDepth above the configured cap', async () => {
    await seedPowerChain(s);
    const res = await s.gql(`{ asset(id: "ups-a") { dependents(maxDepth: 11) { depth } } }`);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/maxDepth must be from 1 to 10/);
  });

  it('reports impact with redundancy: one UPS leaves the rack AT_RISK, both take everything DOWN', async () => {
    await seedPowerChain(s);
    const query = `query($failed: [ID!]!) { impact(failed: $failed) { failed down { asset { id } depth cause state } atRisk { asset { id } cause } } }`;
    const one = await s.gql(query, { failed: ['ups-a'] });
    expect(one.data.impact).toEqual({ failed: ['ups-a'], down: [], atRisk: [{ asset: { id: 'rack-1' }, cause: 'ups-a' }] });
    const both = await s.gql(query, { failed: ['ups-a', 'ups-b'] });
    expect(both.data.impact.down).toEqual([
      { asset: { id: 'rack-1' }, depth: 1, cause: 'ups-a', state: 'DOWN' },
      { asset: { id: 'srv-1' }, depth: 2, cause: 'ups-a', state: 'DOWN' },
      { asset: { id: 'srv-2' }, depth: 2, cause: 'ups-a', state: 'DOWN' },
      { asset: { id: 'svc-web' }, depth: 3, cause: 'ups-a', state: 'DOWN' },
    ]);
    const unknown = await s.gql(query, { failed: ['ups-zz'] });
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('finds the shortest path in either direction, or null', async () => {
    await seedPowerChain(s);
    const res = await s.gql(`{
      p: path(from: "srv-1", to: "ups-b") { id }
      typed: path(from: "srv-1", to: "ups-b", types: ["HOSTS"]) { id } }`);
    expect(res.data.p.map((a: any) => a.id)).toEqual(['srv-1', 'rack-1', 'ups-b']);
    expect(res.data.typed).toBeNull();
  });

  it('pages assets with filters, ordering and totalCount in the database', async () => {
    const input = Array.from({ length: 25 }, (_, i) => ({
      id: `rack-${String(i).padStart(2, '0')}`,
      kind: 'Rack',
      properties: i % 5 === 0 ? { row: i % 3 } : { row: i % 3, capacityKw: i },
    }));
    await s.gql(UPSERT, { input: [...input, { id: 'ups-x', kind: 'UPS' }] });
    const query = `query($after: String) { assets(where: { kind: "Rack", properties: [{ key: "row", eq: 1 }] },
      orderBy: { field: PROPERTY, property: "capacityKw", direction: DESC }, first: 3, after: $after) {
      totalCount edges { node { id properties } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await s.gql(query, { after });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.assets.edges.map((e: any) => e.node.id));
      expect(res.data.assets.totalCount).toBe(8);
      if (!res.data.assets.pageInfo.hasNextPage) break;
      after = res.data.assets.pageInfo.endCursor;
    }
    // rows 1: i = 1, 4, 7, 10, 13, 16, 19, 22; capacity descending, those without capacity (10) last.
    expect(seen).toEqual(['rack-22', 'rack-19', 'rack-16', 'rack-13', 'rack-07', 'rack-04', 'rack-01', 'rack-10']);
    const bad = await s.gql(`{ assets(after: "garbage") { totalCount } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers BAD_USER_INPUT for a cursor it did not hand out, on every connection', async () => {
    await seedPowerChain(s);
    const assetCursor = (await s.gql(`{ assets(first: 1) { pageInfo { endCursor } } }`)).data.assets.pageInfo.endCursor;
    const idCursor = Buffer.from(JSON.stringify(['x'])).toString('base64url');
    // Each connection, with a cursor of the other shape besides plain garbage.
    const connections: [string, string][] = [
      ['assets(first: 1, after: $after) { totalCount }', idCursor],
      ['rejectedReports(after: $after) { nodes { id } }', assetCursor],
      ['scenarioRuns(after: $after) { nodes { id } }', assetCursor],
      ['auditLog(after: $after) { nodes { id } }', assetCursor],
    ];
    for (const [field, otherShape] of connections) {
      for (const after of ['garbage', 'eyJ9', otherShape]) {
        const res = await s.gql(`query($after: String) { ${field} }`, { after });
        expect([field, after, res.errors?.[0].extensions?.code, res.errors?.[0].message]).toEqual([field, after, 'BAD_USER_INPUT', 'after: not a cursor returned by this API']);
      }
    }
  });

  it('deletes assets with their relationships', async () => {
    await seedPowerChain(s);
    const res = await s.gql(`mutation { deleteAssets(ids: ["rack-1", "nope"]) }`);
    expect(res.data.deleteAssets).toBe(1);
    const ups = await s.gql(`{ asset(id: "ups-a") { relationships { to { id } } } }`);
    expect(ups.data.asset.relationships).toEqual([{ to: { id: 'ups-a' } }]);
  });

  it('serves the twin model', async () => {
    const res = await s.gql(`{ model { name kinds { name } relationshipTypes { name dependency } } }`);
    expect(res.data.model.name).toBe('datacenter');
    expect(res.data.model.kinds.map((k: any) => k.name)).toEqual(expect.arrayContaining(['Site', 'UPS', 'PDU', 'Rack', 'Server', 'Service', 'Sensor']));
    expect(res.data.model.relationshipTypes).toEqual(expect.arrayContaining([
      { name: 'FEEDS', dependency: 'FORWARD' },
      { name: 'RUNS_ON', dependency: 'REVERSE' },
      { name: 'CONTAINS', dependency: 'NONE' },
    ]));
  });
});

describe('store round trips', () => {
  // Without the topology index (TOPOLOGY_INDEX_MAX_ASSETS=0): how walks are batched in the
  // store, which is where they go while the index loads, for a twin past its limit, and with asOf.
  const storeWalks = { TOPOLOGY_INDEX_MAX_ASSETS: '0' };

  it('a page of assets with relationships and their endpoints costs the same few calls for 10 or 100 assets', async () => {
    const calls = new Map<string, number>();
    const s = await startTestServer({ env: storeWalks, wrapStore: (store) => countingStore(store, calls) });
    try {
      const racks = Array.from({ length: 100 }, (_, i) => ({ id: `rack-${i}`, kind: 'Rack' }));
      await s.gql(UPSERT, { input: [{ id: 'pdu-a', kind: 'PDU' }, { id: 'pdu-b', kind: 'PDU' }, ...racks] });
      await s.gql(RELATE, { input: racks.flatMap((r) => [{ from: 'pdu-a', to: r.id, type: 'FEEDS' }, { from: 'pdu-b', to: r.id, type: 'FEEDS' }]) });
      const query = `query($n: Int) { assets(where: { kind: "Rack" }, first: $n) { edges { node { id
        relationships { type from { id name } to { id name } } dependencies { asset { id } } } } } }`;
      const counts: Record<string, number>[] = [];
      for (const n of [10, 100]) {
        calls.clear();
        const res = await s.gql(query, { n });
        expect(res.errors).toBeUndefined();
        expect(res.data.assets.edges).toHaveLength(n);
        expect(res.data.assets.edges[0].node.relationships).toHaveLength(2);
        counts.push(Object.fromEntries(calls));
      }
      expect(counts[1]).toEqual(counts[0]);
      // One listAssets, one relationshipsOf, one getAssetSummaries for the PDU endpoints (only
      // their id and name are asked for), one dependency walk.
      expect(counts[1]).toEqual({ listAssets: 1, relationshipsOf: 1, getAssetSummaries: 1, dependencyNeighboursWithin: 1 });
    } finally {
      await s.stop();
    }
  });

  it('dependents load their assets in one call, and no more of them than the query selects', async () => {
    const calls = new Map<string, number>();
    const s = await startTestServer({ env: storeWalks, wrapStore: (store) => countingStore(store, calls) });
    try {
      const racks = Array.from({ length: 50 }, (_, i) => ({ id: `rack-${String(i).padStart(2, '0')}`, kind: 'Rack', name: `Rack ${i}`, properties: { row: i } }));
      await s.gql(UPSERT, { input: [{ id: 'pdu-a', kind: 'PDU' }, ...racks] });
      await s.gql(RELATE, { input: racks.map((r) => ({ from: 'pdu-a', to: r.id, type: 'FEEDS' })) });
      const hops = async (selection: string) => {
        calls.clear();
        const res = await s.gql(`{ asset(id: "pdu-a") { dependents(maxDepth: 3) { depth asset { ${selection} } } } }`);
        expect(res.errors).toBeUndefined();
        return { hops: res.data.asset.dependents, calls: Object.fromEntries(calls) };
      };
      const ids = await hops('id');
      expect(ids.hops).toHaveLength(50);
      expect(ids.hops[7]).toEqual({ depth: 1, asset: { id: 'rack-07' } });
      // Query.asset needs no more than a summary (its walks need only its id): one
      // getAssetSummaries; the walk of three levels is one store call.
      expect(ids.calls).toEqual({ getAssetSummaries: 1, dependencyNeighboursWithin: 1 });
      const named = await hops('id kind name');
      expect(named.hops[7]).toEqual({ depth: 1, asset: { id: 'rack-07', kind: 'Rack', name: 'Rack 7' } });
      // Neo4j reads the hops' summaries along with the walk; SQLite looks them up in one more call.
      expect(named.calls).toEqual({ getAssetSummaries: s.store.backend === 'neo4j' ? 1 : 2, dependencyNeighboursWithin: 1 });
      const full = await hops('id properties version');
      expect(full.hops[7]).toEqual({ depth: 1, asset: { id: 'rack-07', properties: { row: 7 }, version: 1 } });
      expect(full.calls).toEqual({ getAssetSummaries: 1, getAssets: 1, dependencyNeighboursWithin: 1 });
      // Through a fragment the selection is not looked into: the whole asset is loaded.
      const fragment = await hops('... on Asset { name }');
      expect(fragment.hops[7]).toEqual({ depth: 1, asset: { name: 'Rack 7' } });
      expect(fragment.calls).toEqual({ getAssetSummaries: 1, getAssets: 1, dependencyNeighboursWithin: 1 });
      // Two walks (default maxDepth 1) that reach the same racks: one store call for both,
      // one summary call, and each gets every rack.
      await s.gql(UPSERT, { input: [{ id: 'pdu-b', kind: 'PDU' }] });
      await s.gql(RELATE, { input: racks.map((r) => ({ from: 'pdu-b', to: r.id, type: 'FEEDS' })) });
      calls.clear();
      const both = await s.gql(`{ assets(where: { kind: "PDU" }) { edges { node { id dependents { asset { id name } } } } } }`);
      expect(both.errors).toBeUndefined();
      for (const edge of both.data.assets.edges) {
        expect(edge.node.dependents).toHaveLength(50);
        expect(edge.node.dependents[7]).toEqual({ asset: { id: 'rack-07', name: 'Rack 7' } });
      }
      expect(Object.fromEntries(calls)).toEqual({ listAssets: 1, getAssetSummaries: 1, dependencyNeighboursWithin: 1 });
    } finally {
      await s.stop();
    }
  });
});

describe('topology index', () => {
  it('answers relationships and walks from memory: a request catches up with topology history once, however many reads it makes', async () => {
    const calls = new Map<string, number>();
    const s = await startTestServer({ wrapStore: (store) => countingStore(store, calls) });
    try {
      const racks = Array.from({ length: 50 }, (_, i) => ({ id: `rack-${String(i).padStart(2, '0')}`, kind: 'Rack', name: `Rack ${i}` }));
      await s.gql(UPSERT, { input: [{ id: 'pdu-a', kind: 'PDU' }, { id: 'pdu-b', kind: 'PDU' }, ...racks] });
      await s.gql(RELATE, { input: racks.flatMap((r) => [{ from: 'pdu-a', to: r.id, type: 'FEEDS' }, { from: 'pdu-b', to: r.id, type: 'FEEDS' }]) });
      calls.clear();
      const res = await s.gql(`{ assets(where: { kind: "PDU" }) { edges { node { id relationships { type to { id name } } dependents { asset { id name } } } } }
        impact(failed: ["pdu-a"]) { down { asset { id } } } }`);
      expect(res.errors).toBeUndefined();
      expect(res.data.assets.edges[1].node.dependents[7]).toEqual({ asset: { id: 'rack-07', name: 'Rack 7' } });
      expect(res.data.assets.edges[1].node.relationships[7]).toEqual({ type: 'FEEDS', to: { id: 'rack-07', name: 'Rack 7' } });
      expect(res.data.impact.down).toHaveLength(50);
      // The page comes from the store; the relationships and their ends' names, the walks, the
      // hops' names, impact's edges and its entries' ids from the index, after one read of the
      // changes since it loaded.
      expect(Object.fromEntries(calls)).toEqual({ listAssets: 1, topologyChangesAfter: 1 });
      // A write shows in the next request. The changes read last time are recent enough that one
      // of them might still be joined by a late commit: they are counted again, in one call.
      await s.gql(`mutation { unrelate(input: [{ from: "pdu-a", type: "FEEDS", to: "rack-07" }]) }`);
      calls.clear();
      const after = await s.gql(`{ asset(id: "pdu-a") { dependents { asset { id } } } }`);
      expect(after.data.asset.dependents.map((d: any) => d.asset.id)).not.toContain('rack-07');
      expect(after.data.asset.dependents).toHaveLength(49);
      expect(Object.fromEntries(calls)).toEqual({ topologyChangesAfter: 1, countTopologyChanges: 1 });
    } finally {
      await s.stop();
    }
  });
});

describe('unexpected errors', () => {
  it('are masked: no internal message, no stack trace', async () => {
    const s = await startTestServer({
      wrapStore: (store) => new Proxy(store, {
        get: (target, prop, receiver) => prop === 'listAssets'
          ? () => Promise.reject(new Error('disk on fire at /secret/path'))
          : Reflect.get(target, prop, receiver),
      }),
    });
    try {
      const res = await s.gql(`{ assets { totalCount } }`);
      expect(res.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(res)).not.toMatch(/secret|stacktrace|at /);
    } finally {
      await s.stop();
    }
  });
});
