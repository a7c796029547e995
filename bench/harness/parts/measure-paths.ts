import type { GraphStore } from '../../../src/graph/graph-store';
import type { BenchContext } from '../context';
import { graphql } from '../http-client';
import { measure, type LatencyStats, type MeasureOptions } from '../stats';
import { callsPerOp, formatCalls } from '../store-meter';

/** How the query parts time one path: the store floor in this process, or a GraphQL server over HTTP. */

/** The floor's store calls, on the floor's own metered connection; `calls` per operation. */
export async function measureFloor(
  ctx: BenchContext,
  floor: (store: GraphStore, i: number) => Promise<unknown>,
  onSample?: (i: number, ms: number) => void,
): Promise<{ stats: LatencyStats; calls: string }> {
  let ops = 0;
  const stats = await measure(async (i) => void (await floor(ctx.store, i), ops++), {
    ...ctx.options.measure,
    onMeasureStart: () => {
      ctx.floorMeter.reset();
      ops = 0;
    },
    onSample,
  });
  return { stats, calls: formatCalls(callsPerOp(ctx.floorMeter.snapshot(), ops)) };
}

/**
 * One GraphQL request per call against `url`; `calls` (store calls per operation, from the API
 * server's meter) only when `metered`, i.e. when `url` is served by the bench's API process.
 */
export async function measureHttp(
  ctx: BenchContext,
  url: string,
  request: (i: number) => { query: string; variables: Record<string, unknown> },
  opts: { metered: boolean; concurrency?: number; extra?: Partial<MeasureOptions>; onSample?: (i: number, ms: number) => void },
): Promise<{ stats: LatencyStats; calls?: string }> {
  let ops = 0;
  const stats = await measure(
    async (i) => {
      const { query, variables } = request(i);
      const reply = await graphql(ctx.client, url, query, variables);
      ops++;
      return reply.ms;
    },
    {
      ...ctx.options.measure,
      ...opts.extra,
      concurrency: opts.concurrency ?? 1,
      onMeasureStart: async () => {
        if (opts.metered) await ctx.server.resetMeter();
        ops = 0;
      },
      onSample: opts.onSample,
    },
  );
  return { stats, calls: opts.metered ? formatCalls(callsPerOp(await ctx.server.meter(), ops)) : undefined };
}

/**
 * Run `requests` in turn, one at a time, for `options.warmupSeconds` (none when 0), before a part
 * measures: on Neo4j the JVM compiles the hot paths of the server only after about a thousand
 * calls. Each request is called with the round number, so that paged cases visit every page.
 * Records what ran under `report.meta.warmup[label]`.
 */
export async function warmUp(ctx: BenchContext, label: string, requests: ((round: number) => Promise<unknown>)[]): Promise<void> {
  const seconds = ctx.options.warmupSeconds;
  if (seconds <= 0 || requests.length === 0) return;
  process.stderr.write(`warm-up (${label}): ${seconds} s of the requests below ...\n`);
  const until = performance.now() + seconds * 1000;
  let calls = 0;
  for (let round = 0; performance.now() < until; round++) {
    for (const request of requests) {
      await request(round);
      calls++;
    }
  }
  const meta = (ctx.report.meta.warmup ??= {}) as Record<string, unknown>;
  meta[label] = { seconds, calls };
}
