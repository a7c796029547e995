import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestServer } from './test-server';

export const RUN_FIELDS = 'id kind status progress seed error summary input engineVersion modelVersion inputHash attempts';

export const RUN_SCENARIO = `mutation($input: ScenarioInput!) { runScenario(input: $input) { ${RUN_FIELDS} } }`;

/** Poll a run until `done(run)` holds (default: it finished); fails after `timeoutMs`. */
export async function waitForRun(s: TestServer, id: string, done = (run: any) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.status), timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await s.gql(`query($id: ID!) { scenarioRun(id: $id) { ${RUN_FIELDS} } }`, { id });
    const run = res.data?.scenarioRun;
    if (run && done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not get there in ${timeoutMs} ms; last seen ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The scenarioRunUpdated events of a run, over WebSocket, until it SUCCEEDED. */
export async function runUpdatesUntilSucceeded(s: TestServer, id: string): Promise<{ status: string; progress: number }[]> {
  const client = createClient({ url: s.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    const seen: { status: string; progress: number }[] = [];
    const updates = client.iterate<{ scenarioRunUpdated: { status: string; progress: number } }>({
      query: `subscription($id: ID!) { scenarioRunUpdated(id: $id) { status progress } }`,
      variables: { id },
    });
    for await (const update of updates) {
      seen.push(update.data!.scenarioRunUpdated);
      if (update.data!.scenarioRunUpdated.status === 'SUCCEEDED') break;
    }
    return seen;
  } finally {
    await client.dispose();
  }
}

/** Every result of a run, as `{ assetId: result }`. */
export async function runResults(s: TestServer, id: string): Promise<Record<string, any>> {
  const res = await s.gql(`query($id: ID!) { scenarioRun(id: $id) { results(first: 500) { totalCount nodes {
    assetId asset { id } assetDeleted state depth cause availability availabilityLow availabilityHigh loadKw utilization overloaded
    observedLoadKw errorKw failures mtbfHours mttrHours } } } }`, { id });
  return Object.fromEntries(res.data.scenarioRun.results.nodes.map((n: any) => [n.assetId, n]));
}

/** Feeds → UPS pair → rack (A/B) → servers → a service needing 2 of 3 servers; with availabilities and loads. */
export async function seedScenarioTwin(s: TestServer): Promise<void> {
  const assets = [
    { id: 'feed', kind: 'UtilityFeed', properties: { availability: 0.999 } },
    { id: 'ups-a', kind: 'UPS', properties: { availability: 0.99, capacityKw: 10 } },
    { id: 'ups-b', kind: 'UPS', properties: { availability: 0.98, capacityKw: 10 } },
    { id: 'rack', kind: 'Rack', properties: { availability: 0.999, capacityKw: 8 } },
    ...[1, 2, 3].map((n) => ({ id: `srv-${n}`, kind: 'Server', properties: { availability: 0.95, loadKw: 2 } })),
    { id: 'svc', kind: 'Service', properties: {} },
  ];
  const relationships = [
    { from: 'feed', to: 'ups-a', type: 'FEEDS' },
    { from: 'feed', to: 'ups-b', type: 'FEEDS' },
    { from: 'ups-a', to: 'rack', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
    { from: 'ups-b', to: 'rack', type: 'FEEDS', properties: { redundancyGroup: 'power' } },
    ...[1, 2, 3].map((n) => ({ from: 'rack', to: `srv-${n}`, type: 'HOSTS' })),
    ...[1, 2, 3].map((n) => ({ from: 'svc', to: `srv-${n}`, type: 'RUNS_ON', properties: { redundancyGroup: 'replicas', minLive: 2 } })),
  ];
  const res = await s.gql(
    `mutation($a: [AssetInput!]!, $r: [RelationshipInput!]!) { upsertAssets(input: $a) { id } relate(input: $r) { type } }`,
    { a: assets, r: relationships },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
}
