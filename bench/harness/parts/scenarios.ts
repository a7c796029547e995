import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../context';
import { graphql } from '../http-client';
import { measure, round, sleep } from '../stats';
import { callsPerOp, formatCalls, type MeterSnapshot } from '../store-meter';

/**
 * (e) runScenario submission latency (IMPACT runs), then the time until all of them finished;
 * (f) RELIABILITY on the whole twin, end to end: submit, poll until SUCCEEDED, results written.
 */

export const RUN_SCENARIO = `mutation Run($input: ScenarioInput!) { runScenario(input: $input) { id status } }`;
const RUN_STATUS = `query Run($id: ID!) { scenarioRun(id: $id) { id status progress error submittedAt startedAt finishedAt results(first: 1) { totalCount } } }`;
const ACTIVE_RUNS = `query { scenarioRuns(where: { status_in: [QUEUED, RUNNING] }, first: 500) { nodes { id } } }`;

interface RunState {
  id: string;
  status: string;
  progress: number;
  error: string | null;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  results: { totalCount: number };
}

async function waitForIdle(ctx: BenchContext, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const reply = await graphql<{ scenarioRuns: { nodes: { id: string }[] } }>(ctx.client, ctx.server.url, ACTIVE_RUNS);
    if (reply.data.scenarioRuns.nodes.length === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`scenario runs still active after ${timeoutMs} ms: ${reply.data.scenarioRuns.nodes.length}`);
    await sleep(100);
  }
}

export async function runSubmissionPart(ctx: BenchContext): Promise<void> {
  const { options, report, facts } = ctx;
  const { submissions, scope } = options.scenarios;
  process.stderr.write(`(e) runScenario IMPACT submissions (${submissions}, scope ${scope})\n`);
  const input = (i: number) => {
    const pdu = facts.pdus[i % facts.pdus.length];
    return scope === 'roots' ? { kind: 'IMPACT', failed: [pdu], roots: [pdu], maxDepth: 4 } : { kind: 'IMPACT', failed: [pdu] };
  };
  const ids: string[] = [];
  let ops = 0;
  const stats = await measure(
    async (i) => {
      const reply = await graphql<{ runScenario: { id: string; status: string } }>(ctx.client, ctx.server.url, RUN_SCENARIO, { input: input(i) });
      ids.push(reply.data.runScenario.id);
      ops++;
      return reply.ms;
    },
    {
      warmupCalls: 5,
      warmupMs: 0,
      minCalls: submissions,
      maxCalls: submissions,
      maxMs: 60_000,
      concurrency: 1,
      onMeasureStart: async () => {
        // The warm-up runs finish first, so the measured submissions start on an idle queue.
        await waitForIdle(ctx, 120_000);
        await ctx.server.resetMeter();
        ops = 0;
      },
    },
  );
  const submitCalls = formatCalls(callsPerOp(await ctx.server.meter(), ops));
  const drainMs = await waitForIdle(ctx, 600_000);
  const totalSeconds = (stats.wallMs + drainMs) / 1000;
  // Every measured run must have succeeded.
  const statuses = new Map<string, number>();
  for (const id of ids.slice(-submissions)) {
    const reply = await graphql<{ scenarioRun: RunState }>(ctx.client, ctx.server.url, RUN_STATUS, { id });
    statuses.set(reply.data.scenarioRun.status, (statuses.get(reply.data.scenarioRun.status) ?? 0) + 1);
  }
  report.addLatency({ part: 'e', operation: `runScenario IMPACT (${scope === 'roots' ? 'roots=[PDU], maxDepth 4' : 'whole twin'})`, path: 'API', stats, storeCalls: submitCalls, note: 'submission only' });
  report.addSection('scenarios', '(e) Scenario submissions', [
    {
      submissions: stats.n,
      scope: scope === 'roots' ? 'roots=[PDU], maxDepth 4' : 'whole twin',
      'submit p50 ms': round(stats.p50, 2),
      'submit p95 ms': round(stats.p95, 2),
      'submit p99 ms': round(stats.p99, 2),
      'submitted/s': round(stats.throughput, 1),
      'drain s after last submit': round(drainMs / 1000, 1),
      'runs finished/s (end to end)': round(stats.n / totalSeconds, 1),
      statuses: [...statuses].map(([s, n]) => `${s} ${n}`).join(', '),
    },
  ]);
}

export async function runReliabilityPart(ctx: BenchContext): Promise<void> {
  const { options, report } = ctx;
  const { reliabilitySamples: samples, reliabilityRuns: runs } = options.scenarios;
  await waitForIdle(ctx, 600_000);
  const rows = [];
  const details = [];
  for (let r = 1; r <= runs; r++) {
    process.stderr.write(`(f) RELIABILITY, ${samples} samples, whole twin, run ${r} of ${runs}\n`);
    await ctx.server.resetMeter();
    const started = performance.now();
    const submitted = await graphql<{ runScenario: { id: string } }>(ctx.client, ctx.server.url, RUN_SCENARIO, { input: { kind: 'RELIABILITY', samples, seed: 42 + r } });
    const id = submitted.data.runScenario.id;
    let state: RunState;
    let engineDoneAt: number | null = null;
    for (;;) {
      state = (await graphql<{ scenarioRun: RunState }>(ctx.client, ctx.server.url, RUN_STATUS, { id })).data.scenarioRun;
      // Progress passes 0.9 when the engine is done and results are being written.
      if (engineDoneAt === null && state.progress >= 0.9) engineDoneAt = performance.now();
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state.status)) break;
      if (performance.now() - started > 600_000) throw new Error(`RELIABILITY run ${id} not finished after 600 s (${state.status})`);
      await sleep(20);
    }
    const endToEndMs = performance.now() - started;
    if (state.status !== 'SUCCEEDED') throw new Error(`RELIABILITY run ${id} ended ${state.status}: ${state.error}`);
    const meter: MeterSnapshot = await ctx.server.meter();
    const results = state.results.totalCount;
    const queueMs = Date.parse(state.startedAt!) - Date.parse(state.submittedAt);
    const runMs = Date.parse(state.finishedAt!) - Date.parse(state.startedAt!);
    // Jobs run on a store connection of their own (the in-process runner's thread, or a BullMQ
    // worker process), which the meter does not see: the write phase is then estimated from
    // polling, progress passes 0.9 when writing starts.
    const metered = meter.writeResults !== undefined;
    const writeMs = metered ? meter.writeResults.ms : engineDoneAt === null ? NaN : Date.parse(state.finishedAt!) - (performance.timeOrigin + engineDoneAt);
    const snapshotMs = metered ? (meter.listAssets?.ms ?? 0) + (meter.getAssets?.ms ?? 0) + (meter.dependencyEdges?.ms ?? 0) : null;
    if (!metered && r === 1) report.notes.push('(f) runs execute on their own store connection (in-process runner thread or BullMQ worker): writeResults time is estimated from polling (progress ≥ 0.9 until finishedAt, ±20 ms), snapshot time is not measured');
    const row = {
      run: r,
      samples,
      results,
      'submit ms': round(submitted.ms, 1),
      'queued ms': queueMs,
      'running ms': runMs,
      'end to end ms': round(endToEndMs, 0),
      'snapshot store ms': snapshotMs === null ? '-' : round(snapshotMs, 0),
      [metered ? 'writeResults ms' : 'writeResults ms (est.)']: round(writeMs, 0),
      [metered ? 'results written/s (store)' : 'results written/s (est.)']: round((results * 1000) / writeMs, 0),
      'results/s end to end': round((results * 1000) / endToEndMs, 0),
    };
    rows.push(row);
    details.push({ ...row, runId: id, engineDoneApproxMs: engineDoneAt === null ? null : round(engineDoneAt - started, 0), storeMeter: meter });
    report.addLatency({
      part: 'f',
      operation: `RELIABILITY ${samples} samples, submit → SUCCEEDED (run ${r})`,
      path: 'API',
      stats: { n: 1, p50: endToEndMs, p95: endToEndMs, p99: endToEndMs, mean: endToEndMs, min: endToEndMs, max: endToEndMs, throughput: 1000 / endToEndMs, concurrency: 1, wallMs: endToEndMs },
      storeCalls: formatCalls(callsPerOp(meter, 1)),
      note: `${results} results`,
    });
  }
  report.addSection('reliability', '(f) RELIABILITY end to end (whole twin)', rows, details);
}
