import { NO_OUTCOME, type ScenarioRunRecord } from '../graph/scenario-types';
import type { GraphSnapshot, Scalar } from '../graph/types';
import type { HistoryStore } from '../history/history-store';
import type { ModelIndex } from '../model/twin-model';
import type { StatusObservation } from '../sim/calibrate';
import { fidelity } from '../sim/fidelity';
import type { EngineObservations, EngineOutput } from '../sim/scenario-engine';
import { PermanentRunError } from './permanent-run-error';

/**
 * What a scenario run reads from state history before its engine runs (observed demand and
 * load for LOAD, status history for CALIBRATE), and LOAD's comparison with what was observed
 * after it: the processor's I/O around the pure engines.
 */
export interface ObservationDeps {
  model: ModelIndex;
  history?: Pick<HistoryStore, 'valuesAt' | 'samples'>;
}

/** What a run observed: demand by consumer (OBSERVED demand) and load by asset, at the run's moment. */
export interface Observed extends EngineObservations {
  loadKw?: ReadonlyMap<string, number>;
  /** The moment they were read at (the run's asOf, or when it started). */
  at?: string;
}

/**
 * For LOAD: the observed load of every asset whose kind declares a loadMetric and, with
 * `demand: OBSERVED`, the observed demand of every one whose kind declares a demandMetric, each
 * its latest value at or before the run's moment, read from state history (numbers only).
 */
export async function observe(run: ScenarioRunRecord, snapshot: GraphSnapshot, deps: ObservationDeps): Promise<Observed> {
  if (run.input.kind === 'CALIBRATE') return { statuses: await statusHistory(run.input.from!, run.input.to!, [...snapshot.assets.keys()], deps) };
  if (run.input.kind !== 'LOAD') return {};
  const observedDemand = run.input.demand === 'OBSERVED';
  if (!deps.history) {
    if (observedDemand) throw new PermanentRunError('demand OBSERVED needs state history, which this worker does not have');
    return {};
  }
  const at = run.input.asOf ?? run.startedAt ?? new Date().toISOString();
  const read = async (metricOf: ReadonlyMap<string, string>): Promise<Map<string, number>> => {
    const byMetric = new Map<string, string[]>();
    for (const asset of snapshot.assets.values()) {
      const metric = metricOf.get(asset.kind);
      if (!metric) continue;
      const ids = byMetric.get(metric);
      if (ids) ids.push(asset.id);
      else byMetric.set(metric, [asset.id]);
    }
    const out = new Map<string, number>();
    for (const [metric, ids] of byMetric) {
      for (const [id, value] of await deps.history!.valuesAt(ids, metric, at)) if (typeof value === 'number') out.set(id, value);
    }
    return out;
  };
  return { at, loadKw: await read(deps.model.loadMetric), ...(observedDemand && { demandKw: await read(deps.model.demandMetric) }) };
}

/** Most status samples read per history call (pages follow). */
const STATUS_PAGE = 5000;

/** Per asset with any, its status observations in [from, to), oldest first, and the status it had before `from`. */
async function statusHistory(from: string, to: string, ids: string[], deps: ObservationDeps): Promise<Map<string, { before: Scalar | null; observations: StatusObservation[] }>> {
  if (!deps.history) throw new PermanentRunError('CALIBRATE needs state history, which this worker does not have');
  const history = deps.history;
  const before = await history.valuesAt(ids, 'status', new Date(Date.parse(from) - 1).toISOString());
  const out = new Map<string, { before: Scalar | null; observations: StatusObservation[] }>();
  for (const id of ids) {
    const observations: StatusObservation[] = [];
    for (let after: { observedAt: string; metric: string } | undefined; ; ) {
      const page = await history.samples({ assetId: id, metrics: ['status'], from, to, limit: STATUS_PAGE, after });
      observations.push(...page.map((p) => ({ observedAt: p.observedAt, value: p.value })));
      if (page.length < STATUS_PAGE) break;
      after = { observedAt: page[page.length - 1].observedAt, metric: 'status' };
    }
    if (observations.length || before.has(id)) out.set(id, { before: before.get(id) ?? null, observations });
  }
  return out;
}

/** LOAD results with their observed load and error, and the run's fidelity in the summary. */
export function compareWithObserved(output: EngineOutput, observed: Observed): EngineOutput {
  if (!observed.loadKw) return output;
  const byAsset = new Map(output.results.map((r) => [r.assetId, r]));
  const pairs = [...observed.loadKw].map(([assetId, observedKw]) => ({ assetId, predictedKw: byAsset.get(assetId)?.loadKw ?? 0, observedKw }));
  const results = output.results.map((r) => {
    const observedKw = observed.loadKw!.get(r.assetId);
    return observedKw === undefined ? r : { ...r, observedLoadKw: observedKw, errorKw: (r.loadKw ?? 0) - observedKw };
  });
  // Observed assets the engine gave no result (no load, no capacity) are predicted at 0.
  for (const { assetId, predictedKw, observedKw } of pairs) {
    if (!byAsset.has(assetId)) results.push({ ...NO_OUTCOME, assetId, loadKw: predictedKw, observedLoadKw: observedKw, errorKw: predictedKw - observedKw });
  }
  const { assets: _perAsset, ...summary } = fidelity(pairs);
  return { ...output, results, summary: { ...output.summary, demand: observed.demandKw ? 'OBSERVED' : 'MODELED', observedAt: observed.at, fidelity: summary } };
}
