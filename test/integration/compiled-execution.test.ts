import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Queries and mutations run compiled (graphql-jit, the default) or through graphql-js
 * (GRAPHQL_JIT=0). Two instances of one deployment, one of each, must answer every request the
 * same: data, errors with their codes and paths, and the HTTP status.
 */

const UPSERT = `mutation($input: [AssetInput!]!) { upsertAssets(input: $input) { id version } }`;
const RELATE = `mutation($input: [RelationshipInput!]!) { relate(input: $input) { type } }`;

async function post(s: TestServer, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('compiled and interpreted execution', () => {
  let compiled: TestServer;
  let interpreted: TestServer;
  beforeAll(async () => {
    compiled = await startTestServer();
    interpreted = await startTestServer({ sameStoreAs: compiled, env: { GRAPHQL_JIT: '0' } });
    expect(compiled.app.services.config.compiledExecution).toBe(true);
    const assets = [
      { id: 'ups-a', kind: 'UPS', name: 'UPS A', properties: { capacityKw: 500 } },
      { id: 'ups-b', kind: 'UPS', name: 'UPS B' },
      { id: 'rack-1', kind: 'Rack', name: 'Rack 1', properties: { row: 1, tags: ['hot', 'aisle'] } },
      { id: 'srv-1', kind: 'Server' },
      { id: 'srv-2', kind: 'Server' },
    ];
    const relationships = [
      { from: 'ups-a', to: 'rack-1', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
      { from: 'ups-b', to: 'rack-1', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
      { from: 'rack-1', to: 'srv-1', type: 'HOSTS' },
      { from: 'rack-1', to: 'srv-2', type: 'HOSTS' },
    ];
    expect((await compiled.gql(UPSERT, { input: assets })).errors).toBeUndefined();
    expect((await compiled.gql(RELATE, { input: relationships })).errors).toBeUndefined();
    const report = await compiled.gql(`mutation($input: [StateReport!]!) { reportState(input: $input) { accepted } }`, {
      input: [{ assetId: 'srv-1', observedAt: '2026-11-30T10:00:00Z', values: { powerKw: 1.5, status: 'UP' } }],
    });
    expect(report.data.reportState.accepted).toBe(1);
  });
  afterAll(async () => {
    await interpreted?.stop();
    await compiled?.stop();
  });

  // Every row has its variables: jest passes a `done` callback to a test with more parameters than the row.
  const requests: [string, string, Record<string, unknown>][] = [
    ['a page with state and relationships', `{ assets(first: 3) { edges { cursor node { id kind name status state version properties relationships { type from { id } to { id } properties } } } pageInfo { hasNextPage endCursor } } }`, {}],
    ['fragments, aliases, __typename and @include', `query($deep: Boolean!) { a: asset(id: "rack-1") { ...A dependents(maxDepth: 3) @include(if: $deep) { depth asset { id __typename } } } b: asset(id: "nope") { id } } fragment A on Asset { __typename id kind dependencies { depth asset { id } } }`, { deep: true }],
    ['impact with redundancy', `{ impact(failed: ["ups-a"]) { failed down { asset { id } state depth cause } atRisk { asset { id } state depth cause } } }`, {}],
    ['a path', `{ path(from: "srv-1", to: "ups-b") { id } }`, {}],
    ['the model', `{ model { __typename } }`, {}],
    ['a domain error in one field, the rest answered', `{ ok: asset(id: "srv-1") { id } bad: asset(id: "srv-1") { dependents(maxDepth: 0) { depth } } }`, {}],
    ['a variable of the wrong type', `query($id: ID!) { asset(id: $id) { id } }`, { id: { not: 'an id' } }],
    ['a missing variable', `query($id: ID!) { asset(id: $id) { id } }`, {}],
    ['a bad DateTime variable', `query($at: DateTime) { asset(id: "srv-1", asOf: $at) { id } }`, { at: 'yesterday' }],
    ['a mutation refused whole', UPSERT, { input: [{ id: 'ok-1', kind: 'UPS' }, { id: 'ok-2', kind: 'Toaster' }] }],
    ['introspection of a type', `{ __type(name: "ImpactReport") { name fields { name type { kind ofType { name } } } } }`, {}],
  ];

  it.each(requests)('%s: the same answer', async (_name, query, variables) => {
    const [a, b] = [await post(compiled, query, variables), await post(interpreted, query, variables)];
    expect(a).toEqual(b);
  });

  it('answers the requests above with data or the errors a client acts on', async () => {
    // Guards against both instances being wrong the same way (e.g. every error masked).
    const page = await post(compiled, requests[0][1], {});
    expect(page.body.data.assets.edges.map((e: any) => e.node.id)).toEqual(['rack-1', 'srv-1', 'srv-2']);
    expect(page.body.data.assets.edges[1].node.state).toEqual({ powerKw: 1.5, status: 'UP' });
    const partial = await post(compiled, requests[5][1], {});
    expect(partial.body.data.ok).toEqual({ id: 'srv-1' });
    expect(partial.body.errors).toEqual([expect.objectContaining({ path: ['bad', 'dependents'], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    const wrongType = await post(compiled, requests[6][1], requests[6][2]);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const refused = await post(compiled, UPSERT, requests[9][2]);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input[1].kind' });
    expect((await compiled.gql(`{ asset(id: "ok-1") { id } }`)).data.asset).toBeNull();
  });
});
