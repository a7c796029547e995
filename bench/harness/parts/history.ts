import { loadConfig } from '../../../src/config';
import { openHistoryStore } from '../../../src/history/create-history-store';
import type { Observation } from '../../../src/history/history-store';
import type { BenchContext } from '../context';
import type { Row } from '../report';
import { graphql } from '../http-client';
import { measure, round } from '../stats';
import { IMPACT_QUERY, impactFailed } from './queries';

/**
 * (history) Dashboard reads of state history, on the history store the server uses (SQLite file
 * in DATA_DIR, or HISTORY_URL): `historyBuckets` over 30 days of one-minute data of one metric
 * (43,200 observations) in 1-hour buckets, and a chart of 100 assets x 24 h in 15-minute buckets
 * in one request. Each twice: from the current minute, as "the last 30 days" would be asked (a
 * bucket boundary cuts a quarter-hour rollup, read raw; every one of them for 15-minute buckets),
 * and on the hour or quarter, as a dashboard that puts buckets on multiples of their width asks
 * (rollups only).
 * The data is written straight into the history store first.
 */
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const CHART_ASSETS = 100;

const BUCKETS = `query($id: ID!, $from: DateTime!, $to: DateTime!) { asset(id: $id) { historyBuckets(metric: "loadKw", from: $from, to: $to, every: 3600) { start count avg min max } } }`;
/** The same with each bucket's first and last value, which the store finds only when asked. */
const BUCKETS_WITH_ENDS = BUCKETS.replace('start count avg min max', 'start count avg min max first last');
const CHART = `query($ids: [ID!], $from: DateTime!, $to: DateTime!) { assets(where: { id_in: $ids }, first: ${CHART_ASSETS}) {
  edges { node { id historyBuckets(metric: "loadKw", from: $from, to: $to, every: 900) { start avg max } } } } }`;

/** An operation measured: its name, query, variables, and a check of its answer. */
type Run = [string, string, Record<string, unknown>, (data: any) => void];

export async function runHistoryPart(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const history = await openHistoryStore(loadConfig({ ...process.env, ...ctx.serverEnv } as Record<string, string>));
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  const hour = end - (end % (60 * MINUTE));
  const quarter = end - (end % (15 * MINUTE));
  const ups = ctx.facts.ups[0];
  const chartIds = ctx.facts.servers.slice(0, CHART_ASSETS);
  process.stderr.write(`(history) writing 30 days of one-minute loadKw for ${ups} and 24 h for ${chartIds.length} servers ...\n`);
  const started = performance.now();
  let written = 0;
  const write = async (assetId: string, from: number, minutes: number) => {
    for (let m = 0; m < minutes; m += 5000) {
      const batch: Observation[] = Array.from({ length: Math.min(5000, minutes - m) }, (_, k) => ({
        assetId,
        metric: 'loadKw',
        observedAt: new Date(from + (m + k) * MINUTE).toISOString(),
        value: 20 + ((m + k) % 60) / 10,
      }));
      written += (await history.record(batch)).length;
    }
  };
  try {
    await write(ups, end - 30 * DAY, 30 * 1440);
    for (const id of chartIds) await write(id, end - DAY, 1440);
  } finally {
    await history.close();
  }
  const seedSeconds = (performance.now() - started) / 1000;

  const chart = (when: string, until: number): Run => [`chart: ${CHART_ASSETS} assets x 24 h, 15-min buckets, ${when}`, CHART, { ids: chartIds, from: new Date(until - DAY).toISOString(), to: new Date(until).toISOString() }, (d) => {
    const nodes = d.assets.edges;
    if (nodes.length !== chartIds.length || nodes.some((e: any) => e.node.historyBuckets.length !== 96)) throw new Error('expected 96 buckets for every asset of the chart');
  }];
  const runs: Run[] = [
    ['historyBuckets: 30 days of 1-min data, 1-h buckets', BUCKETS, { id: ups, from: new Date(end - 30 * DAY).toISOString(), to: new Date(end).toISOString() }, (d) => {
      if (d.asset.historyBuckets.length !== 720) throw new Error(`expected 720 buckets, got ${d.asset.historyBuckets.length}`);
    }],
    ['historyBuckets: the same, from and to on the hour', BUCKETS, { id: ups, from: new Date(hour - 30 * DAY).toISOString(), to: new Date(hour).toISOString() }, (d) => {
      if (d.asset.historyBuckets.length !== 720) throw new Error(`expected 720 buckets, got ${d.asset.historyBuckets.length}`);
    }],
    ['historyBuckets: the same with first and last', BUCKETS_WITH_ENDS, { id: ups, from: new Date(end - 30 * DAY).toISOString(), to: new Date(end).toISOString() }, (d) => {
      if (d.asset.historyBuckets.length !== 720 || d.asset.historyBuckets.some((b: any) => typeof b.first !== 'number')) throw new Error('expected 720 buckets with first and last');
    }],
    chart('from the current minute', end),
    chart('on the quarter', quarter),
  ];
  for (const [operation, query, variables, check] of runs) {
    process.stderr.write(`(history) ${operation}\n`);
    check((await graphql(ctx.client, ctx.server.url, query, variables)).data);
    const stats = await measure(async () => (await graphql(ctx.client, ctx.server.url, query, variables)).ms, { ...options.measure });
    report.addLatency({ part: 'history', operation, path: 'API', stats });
  }
  report.addSection('history', 'History: observations written straight into the history store before the reads', [
    { observations: written, seconds: round(seedSeconds, 2), 'observations/s': round(written / seedSeconds, 0) },
  ]);
  await runImpactAsOf(ctx);
}

const AS_OF_CHANGES = 1000;
const IMPACT_AS_OF = IMPACT_QUERY.replace('query Impact($failed: [ID!]!)', 'query Impact($failed: [ID!]!, $asOf: DateTime)').replace('maxDepth: 10)', 'maxDepth: 10, asOf: $asOf)');

/**
 * impact(failed, asOf) with 1,000 topology changes after asOf, all in the failed region (half
 * asset updates, half relationships created and removed again, so the twin's topology is the
 * same afterwards), against the same impact without asOf, measured one after the other.
 */
async function runImpactAsOf(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const failed = impactFailed(ctx);
  const gql = (query: string, variables: Record<string, unknown>) => graphql(ctx.client, ctx.server.url, query, variables);
  // The impact region first (so the asOf view is exercised where impact walks), then the rest of the twin.
  const region: string[] = (await gql(IMPACT_QUERY, { failed })).data.impact.down.map((d: any) => d.asset.id as string);
  const inRegion = new Set(region);
  const others = ctx.facts.ids.filter((id) => !inRegion.has(id) && !failed.includes(id));
  const updated = [...region, ...others].slice(0, AS_OF_CHANGES / 2);
  const pairs = Array.from({ length: AS_OF_CHANGES / 4 }, (_, i) => ({ from: region[i % region.length], type: 'CONNECTS_TO', to: others[i] }));
  const asOf = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  process.stderr.write(`(history) ${AS_OF_CHANGES} topology changes after asOf in the impact region ...\n`);
  const kinds = new Map(updated.map((id: string) => [id, ctx.facts.kindOf.get(id)!]));
  await gql(`mutation($a: [AssetInput!]!) { upsertAssets(input: $a) { id } }`, { a: updated.map((id: string) => ({ id, kind: kinds.get(id), properties: { benchRevision: Date.now() } })) });
  await gql(`mutation($r: [RelationshipInput!]!) { relate(input: $r) { type } }`, { r: pairs });
  await gql(`mutation($r: [RelationshipKey!]!) { unrelate(input: $r) }`, { r: pairs });
  let logged = 0;
  for (let after: string | null = null; ; ) {
    const page: any = (await gql(`query($from: DateTime, $after: String) { topologyChanges(from: $from, first: 500, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { from: asOf, after })).data.topologyChanges;
    logged += page.nodes.length;
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  if (logged !== AS_OF_CHANGES) throw new Error(`(history) ${logged} topology changes recorded after asOf, ${AS_OF_CHANGES} made`);

  const count = (data: any) => data.impact.down.length + data.impact.atRisk.length;
  const now = count((await gql(IMPACT_QUERY, { failed })).data);
  const then = count((await gql(IMPACT_AS_OF, { failed, asOf })).data);
  if (now !== then) throw new Error(`(history) impact now has ${now} entries, at asOf ${then}: the changes should not alter it`);
  const rows: Row[] = [];
  for (const [operation, query, variables] of [
    ['impact, now', IMPACT_QUERY, { failed }],
    [`impact, asOf before ${AS_OF_CHANGES} changes`, IMPACT_AS_OF, { failed, asOf }],
  ] as const) {
    process.stderr.write(`(history) ${operation}\n`);
    const measured = await measure(async () => (await gql(query, variables)).ms, { ...options.measure });
    report.addLatency({ part: 'history', operation, path: 'API', stats: measured });
    rows.push({ operation, entries: now, p50: round(measured.p50, 1), p95: round(measured.p95, 1) });
  }
  report.addSection('history-asof', `impact(failed, asOf) with ${AS_OF_CHANGES} topology changes after asOf (the goal, p95 at most 3x without asOf, is under Goals)`, rows);
}
