import { badInput, DomainError, notFound } from '../errors';
import type { MutationResolvers, QueryResolvers, Resolvers } from '../generated/graphql';
import { applyCalibration, revertCalibration, type CalibrationReport } from '../sim-queue/calibration';
import { fidelityCheckOf } from '../sim-queue/fidelity-checks';
import type { TopologyChanges } from '../graph/types';
import type { ScenarioRunRecord, SimulationResultRecord } from '../graph/scenario-types';
import { compareResults } from '../sim/compare-results';
import { DEFAULT_PAGE_SIZE, pageSizeArg } from './arguments';
import type { RequestContext } from './context';
import { idAfter, idConnection } from './paging';
import type { AuditedIds } from './authorize';

/** Scenario runs: submission, cancellation, runs, results and comparisons. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function runIdArg(id: string, name: string): string {
  if (!UUID.test(id)) throw badInput(`${name}: ${JSON.stringify(id)} is not a scenario run id`, { field: name });
  return id;
}

async function requireRun(ctx: RequestContext, id: string, name: string): Promise<ScenarioRunRecord> {
  const run = await ctx.loaders.run.load(runIdArg(id, name));
  if (!run) throw notFound(`${name}: no scenario run with id "${id}"`, { field: name });
  return run;
}

/** All results of a run, page by page (comparisons need them whole). */
async function allResults(ctx: RequestContext, runId: string): Promise<SimulationResultRecord[]> {
  const out: SimulationResultRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await ctx.store.listResults(runId, 10_000, after);
    out.push(...page.results);
    if (!page.hasNextPage) return out;
    after = page.results.at(-1)!.assetId;
  }
}

export const scenarioQuery: QueryResolvers = {
  scenarioRun: (_, { id }, ctx) => (UUID.test(id) ? ctx.loaders.run.load(id) : null),

  async scenarioRuns(_, { where, first, after }, ctx) {
    const filter = { statuses: where?.status_in ? [...where.status_in] : undefined, kinds: where?.kind_in ? [...where.kind_in] : undefined };
    const afterId = idAfter(after);
    const { runs, hasNextPage } = await ctx.store.listRuns(filter, pageSizeArg(ctx, first ?? DEFAULT_PAGE_SIZE), afterId === undefined ? undefined : runIdArg(afterId, 'after'));
    for (const run of runs) ctx.loaders.run.prime(run.id, run);
    return idConnection(runs, hasNextPage, (r) => r.id);
  },

  async fidelityHistory(_, { first, after }, ctx) {
    const afterId = idAfter(after);
    const { runs, hasNextPage } = await ctx.store.listRuns({ kinds: ['LOAD'], statuses: ['SUCCEEDED'] }, pageSizeArg(ctx, first ?? DEFAULT_PAGE_SIZE), afterId === undefined ? undefined : runIdArg(afterId, 'after'));
    const checks = runs.map((run) => fidelityCheckOf(run, ctx.config.fidelity.driftMapeThreshold)!);
    return idConnection(checks, hasNextPage, (c) => c.runId);
  },

  async compareScenarios(_, { a, b }, ctx) {
    const [runA, runB] = await Promise.all([requireRun(ctx, a, 'a'), requireRun(ctx, b, 'b')]);
    for (const [run, name] of [[runA, 'a'], [runB, 'b']] as const) {
      if (run.status !== 'SUCCEEDED') throw new DomainError('CONFLICT', `${name}: run ${run.id} is ${run.status}; only SUCCEEDED runs can be compared`, { field: name });
    }
    const [resultsA, resultsB] = await Promise.all([allResults(ctx, runA.id), allResults(ctx, runB.id)]);
    return { a: runA, b: runB, differences: compareResults(resultsA, resultsB) };
  },
};

export const scenarioMutation: MutationResolvers = {
  async runScenario(_, { input }, ctx) {
    const run = await ctx.scenarios.submit(input);
    ctx.loaders.run.prime(run.id, run);
    return run;
  },
  cancelScenario: async (_, { id }, ctx) => ctx.scenarios.cancel(runIdArg(id, 'id')),
  applyCalibration: (_, { runId }, ctx) => applyCalibration(calibrationDeps(ctx), runIdArg(runId, 'runId')),
  revertCalibration: (_, { runId }, ctx) => revertCalibration(calibrationDeps(ctx), runIdArg(runId, 'runId')),
};

/** Calibration writes go through the store and publish what they changed, like upsertAssets. */
const calibrationDeps = (ctx: RequestContext) => ({ store: ctx.store, publish: (changes: TopologyChanges) => ctx.topology.publish(changes), batch: ctx.config.maxBatchRecords });

export const scenarioAudited: AuditedIds = {
  runScenario: (_args: unknown, run: ScenarioRunRecord) => [run.id],
  cancelScenario: (_args: unknown, run: ScenarioRunRecord) => [run.id],
  applyCalibration: (_args: unknown, report: CalibrationReport) => [report.runId, ...report.changed],
  revertCalibration: (_args: unknown, report: CalibrationReport) => [report.runId, ...report.changed],
};

export const scenarioTypes: Resolvers = {
  ScenarioRun: {
    asOf: (run) => run.input.asOf ?? null,
    async results(run, { first, after }, ctx) {
      const page = await ctx.store.listResults(run.id, pageSizeArg(ctx, first ?? DEFAULT_PAGE_SIZE), idAfter(after));
      return { ...idConnection(page.results, page.hasNextPage, (r) => r.assetId), totalCount: page.totalCount };
    },
  },
  SimulationResult: {
    run: async (result, _, ctx) => (await ctx.loaders.run.load(result.runId))!,
    // A result outlives its asset (the run's summary still counts it); an asset created again
    // under the same id is another asset, so the stored flag wins over a lookup.
    asset: async (result, _, ctx) => (result.assetDeleted ? null : ctx.loaders.asset.load(result.assetId)),
    assetDeleted: async (result, _, ctx) => result.assetDeleted === true || (await ctx.loaders.asset.load(result.assetId)) === null,
  },
  ScenarioDifference: {
    asset: (diff, _, ctx) => ctx.loaders.asset.load(diff.assetId),
  },
  Asset: {
    scenarioResults(asset, { last }, ctx) {
      const n = last ?? 10;
      if (n < 1 || n > 100) throw badInput(`last must be from 1 to 100, got ${n}`, { field: 'last' });
      return ctx.loaders.scenarioResults(n).load(asset.id);
    },
  },
};
