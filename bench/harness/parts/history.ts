import { loadConfig } from '../../../src/config';
import { openHistoryStore } from '../../../src/history/create-history-store';
import type { Observation } from '../../../src/history/history-store';
import type { BenchContext } from '../context';
import { graphql } from '../http-client';
import { measure, round } from '../stats';

/**
 * (history) Dashboard reads of state history, on the history store the server uses (SQLite file
 * in DATA_DIR, or HISTORY_URL): `historyBuckets` over 30 days of one-minute data of one metric
 * (43,200 observations) in 1-hour buckets, and a chart of 100 assets x 24 h in 15-minute buckets
 * in one request. The data is written straight into the history store first.
 */
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const CHART_ASSETS = 100;

const BUCKETS = `query($id: ID!, $from: DateTime!, $to: DateTime!) { asset(id: $id) { historyBuckets(metric: "loadKw", from: $from, to: $to, every: 3600) { start count avg min max } } }`;
const CHART = `query($ids: [ID!], $from: DateTime!, $to: DateTime!) { assets(where: { id_in: $ids }, first: ${CHART_ASSETS}) {
  edges { node { id historyBuckets(metric: "loadKw", from: $from, to: $to, every: 900) { start avg max } } } } }`;

export async function runHistoryPart(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const history = await openHistoryStore(loadConfig({ ...process.env, ...ctx.serverEnv } as Record<string, string>));
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
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

  const runs: [string, string, Record<string, unknown>, (data: any) => void][] = [
    ['historyBuckets: 30 days of 1-min data, 1-h buckets', BUCKETS, { id: ups, from: new Date(end - 30 * DAY).toISOString(), to: new Date(end).toISOString() }, (d) => {
      if (d.asset.historyBuckets.length !== 720) throw new Error(`expected 720 buckets, got ${d.asset.historyBuckets.length}`);
    }],
    [`chart: ${CHART_ASSETS} assets x 24 h, 15-min buckets`, CHART, { ids: chartIds, from: new Date(end - DAY).toISOString(), to: new Date(end).toISOString() }, (d) => {
      const nodes = d.assets.edges;
      if (nodes.length !== chartIds.length || nodes.some((e: any) => e.node.historyBuckets.length !== 96)) throw new Error('expected 96 buckets for every asset of the chart');
    }],
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
}
