import { cleanUpApiProcesses, gql, startApi, type ApiProcess } from '../support/api-process';

/**
 * Two API processes of one deployment (the same store) taking property upserts and state
 * reports for the same assets at the same time, as behind a load balancer: nothing is lost,
 * nothing is applied twice, and no request fails (lock waits and deadlocks stay inside the store).
 */

const UPSERT = 'mutation($input: [AssetInput!]!) { upsertAssets(input: $input) { id } }';
const REPORT = 'mutation($input: [StateReport!]!) { reportState(input: $input) { results { assetId outcome } } }';
const IDS = ['cw-0', 'cw-1', 'cw-2', 'cw-3'];
const N = 20;
/** The Rack metric each process moves; both send `humidityPct` with the shared event ids. */
const METRIC = { a: 'powerKw', b: 'inletTempC' } as const;
const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();

let a: ApiProcess;
let b: ApiProcess;
beforeAll(async () => {
  a = await startApi();
  b = await startApi({}, a);
}, 60_000);
afterAll(cleanUpApiProcesses);

it('keeps every upsert and report sent to either process, and applies a shared eventId once', async () => {
  await gql(a.url, UPSERT, { input: IDS.map((id) => ({ id, kind: 'Rack' })) });
  const outcomes: { assetId: string; outcome: string; shared: boolean }[] = [];
  const report = async (api: ApiProcess, input: object[], shared = false) => {
    const { reportState } = await gql(api.url, REPORT, { input });
    for (const r of reportState.results) outcomes.push({ ...r, shared });
  };
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    for (const [api, tag] of [[a, 'a'], [b, 'b']] as const) {
      // Each process adds its own property and moves its own metric on every asset...
      work.push(gql(api.url, UPSERT, { input: IDS.map((id) => ({ id, kind: 'Rack', properties: { [`${tag}${i}`]: i } })) }));
      work.push(report(api, IDS.map((assetId) => ({ assetId, observedAt: at(i), values: { [METRIC[tag]]: i }, eventId: `${tag}-${assetId}-${i}` }))));
      // ...and both send one event id, each for a different asset: only one may be applied.
      work.push(report(api, [{ assetId: tag === 'a' ? 'cw-0' : 'cw-1', observedAt: at(i), values: { humidityPct: i }, eventId: `shared-${i}` }], true));
    }
  }
  await Promise.all(work); // gql throws on any GraphQL error
  expect(outcomes.filter((o) => o.outcome === 'REJECTED')).toEqual([]);

  // Of the two reports of each shared event id, one was applied and the other refused.
  const sharedOutcomes = outcomes.filter((o) => o.shared).map((o) => o.outcome);
  expect(sharedOutcomes.filter((o) => o === 'DUPLICATE')).toHaveLength(N);
  expect(sharedOutcomes.filter((o) => o !== 'DUPLICATE').every((o) => o === 'ACCEPTED' || o === 'STALE')).toBe(true);

  const { assets } = await gql(b.url, `{ assets(where: { idPrefix: "cw-" }, first: 10) { edges { node { id properties state version } } } }`);
  for (const { node } of assets.edges) {
    const expected: Record<string, number> = {};
    for (let i = 0; i < N; i++) Object.assign(expected, { [`a${i}`]: i, [`b${i}`]: i });
    expect(node.properties).toEqual(expected);
    expect(node.state).toMatchObject({ powerKw: N - 1, inletTempC: N - 1 });
    // One version per change: the creation, 2N upserts, and each accepted report.
    const accepted = outcomes.filter((o) => o.assetId === node.id && o.outcome === 'ACCEPTED').length;
    expect([node.id, node.version]).toEqual([node.id, 1 + 2 * N + accepted]);
  }
}, 120_000);
