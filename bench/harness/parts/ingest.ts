import type { Scalar } from '../../../src/graph/types';
import { DEFAULT_SEED, mulberry32 } from '../../synthetic-twin';
import type { BenchContext } from '../context';
import { graphql } from '../http-client';
import type { Row } from '../report';
import { measure, round, type LatencyStats } from '../stats';
import { callsPerOp, formatCalls } from '../store-meter';
import { metricValue, numericMetrics } from '../twin';

/**
 * (d) State ingestion: `reportState` batches (GraphQL) and NDJSON `POST /ingest`, each for a few
 * seconds with a few requests in flight. Every report names a different asset than its
 * neighbours (the twin's assets in turn), carries `valuesPerReport` numeric metrics of its kind,
 * a unique eventId (so the duplicate check runs, as for a real producer) and an observation time
 * newer than anything stored, so every report should be ACCEPTED; anything else is shown.
 */

export const REPORT_STATE = `mutation Report($input: [StateReport!]!) { reportState(input: $input) { accepted duplicate stale rejected } }`;

interface Report {
  assetId: string;
  observedAt: string;
  values: Record<string, Scalar>;
  eventId?: string;
}

/**
 * Reports for one sender. Concurrent senders get disjoint slices of the assets (`slice` of
 * `slices`): two requests in flight that touch the same asset may be applied in either order,
 * and the older observation would then rightly be STALE.
 */
export function reportFactory(ctx: BenchContext, tag: string, slice = 0, slices = 1): (count: number) => Report[] {
  const random = mulberry32(DEFAULT_SEED ^ 0x77 ^ slice);
  const { kindOf } = ctx.facts;
  const ids = ctx.facts.ids.filter((_, i) => i % slices === slice);
  const metrics = new Map<string, ReturnType<typeof numericMetrics>>();
  for (const kind of new Set(kindOf.values())) metrics.set(kind, numericMetrics(ctx.model, kind));
  const k = ctx.options.ingest.valuesPerReport;
  let next = 0;
  let seq = 0;
  return (count) => {
    const out: Report[] = [];
    for (let n = 0; n < count; n++) {
      const assetId = ids[next++ % ids.length];
      const defs = metrics.get(kindOf.get(assetId)!)!;
      const values: Record<string, Scalar> = {};
      for (let m = 0; m < Math.min(k, defs.length); m++) values[defs[(seq + m) % defs.length].name] = metricValue(defs[(seq + m) % defs.length], random);
      const report: Report = { assetId, observedAt: ctx.clock.next(), values };
      if (ctx.options.ingest.eventIds) report.eventId = `bench-${tag}-${slice}-${seq}`;
      seq++;
      out.push(report);
    }
    return out;
  };
}

interface Outcomes {
  accepted: number;
  duplicate: number;
  stale: number;
  rejected: number;
  values: number;
}

const zero = (): Outcomes => ({ accepted: 0, duplicate: 0, stale: 0, rejected: 0, values: 0 });

export async function runIngestPart(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const { batch, ndjsonLines, concurrency, seconds } = options.ingest;
  const ingestUrl = ctx.server.url.replace(/\/graphql$/, '/ingest');
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};

  const run = async (
    name: string,
    records: number,
    send: (reports: Report[]) => Promise<{ ms: number; outcomes: Outcomes }>,
    tag: string,
  ) => {
    const makers = Array.from({ length: concurrency }, (_, w) => reportFactory(ctx, tag, w, concurrency));
    process.stderr.write(`(d) ${name}\n`);
    let totals = zero();
    let ops = 0;
    const stats: LatencyStats = await measure(
      async (_, worker) => {
        const { ms, outcomes } = await send(makers[worker](records));
        for (const key of Object.keys(totals) as (keyof Outcomes)[]) totals[key] += outcomes[key];
        ops++;
        return ms;
      },
      {
        warmupCalls: 3,
        warmupMs: 500,
        minCalls: 4,
        maxCalls: 1_000_000,
        maxMs: seconds * 1000,
        concurrency,
        onMeasureStart: async () => {
          totals = zero();
          ops = 0;
          await ctx.server.resetMeter();
        },
      },
    );
    const secondsTaken = stats.wallMs / 1000;
    const meter = await ctx.server.meter();
    report.addLatency({ part: 'd', operation: `${name}, ${records} records/request`, path: 'API', stats, storeCalls: formatCalls(callsPerOp(meter, ops)) });
    const sent = ops * records;
    const row = {
      path: name,
      'records/request': records,
      'in flight': concurrency,
      seconds: round(secondsTaken, 1),
      sent,
      accepted: totals.accepted,
      'stale+dup+rejected': totals.stale + totals.duplicate + totals.rejected,
      'accepted reports/s': round(totals.accepted / secondsTaken, 0),
      'accepted values/s': round(totals.values / secondsTaken, 0),
      'p50 ms/request': round(stats.p50, 1),
      'p95 ms/request': round(stats.p95, 1),
    };
    rows.push(row);
    details[name] = { ...row, totals, latency: stats, storeMeter: meter };
    if (totals.accepted !== sent) ctx.report.notes.push(`(d) ${name}: ${sent - totals.accepted} of ${sent} reports were not ACCEPTED (${JSON.stringify(totals)})`);
    return row;
  };

  // reportState over GraphQL.
  const valuesOf = (reports: Report[], accepted: number) => (accepted === reports.length ? reports.reduce((n, r) => n + Object.keys(r.values).length, 0) : Math.round((accepted * reports.reduce((n, r) => n + Object.keys(r.values).length, 0)) / reports.length));
  await run(
    'reportState',
    batch,
    async (reports) => {
      const reply = await graphql<{ reportState: Omit<Outcomes, 'values'> }>(ctx.client, ctx.server.url, REPORT_STATE, { input: reports });
      return { ms: reply.ms, outcomes: { ...reply.data.reportState, values: valuesOf(reports, reply.data.reportState.accepted) } };
    },
    'gql',
  );

  // NDJSON POST /ingest.
  await run(
    'POST /ingest (NDJSON)',
    ndjsonLines,
    async (reports) => {
      const body = reports.map((r) => JSON.stringify(r)).join('\n');
      const res = await ctx.client.post(ingestUrl, body, 'application/x-ndjson');
      if (res.status !== 200) throw new Error(`POST /ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
      const last = res.body.trimEnd().slice(res.body.trimEnd().lastIndexOf('\n') + 1);
      const summary = (JSON.parse(last) as { summary?: Omit<Outcomes, 'values'> & { lines: number } }).summary;
      if (!summary) throw new Error(`POST /ingest: no summary line, last line ${last.slice(0, 300)}`);
      return { ms: res.ms, outcomes: { ...summary, values: valuesOf(reports, summary.accepted) } };
    },
    'ndjson',
  );

  report.addSection('ingest', `(d) State ingestion (${options.ingest.valuesPerReport} value(s) per report${options.ingest.eventIds ? ', with eventIds' : ''})`, rows, details);
}
