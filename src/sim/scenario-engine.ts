import { NO_OUTCOME, type ScenarioInput, type SimulationResultRecord } from '../graph/scenario-types';
import type { GraphSnapshot, Scalar } from '../graph/types';
import { calibrate, CALIBRATE_ENGINE_VERSION, type StatusObservation } from './calibrate';
import { computeImpact, IMPACT_ENGINE_VERSION } from './impact';
import { LOAD_ENGINE_VERSION, runLoad } from './load';
import { RELIABILITY_ENGINE_VERSION, runReliability } from './reliability';

/** A result before it is tied to a run. */
export type EngineResult = Omit<SimulationResultRecord, 'runId'>;

export interface EngineOutput {
  engineVersion: string;
  results: EngineResult[];
  /** Shown as ScenarioRun.summary: counts, worst utilization, expected service availability… */
  summary: Record<string, unknown>;
  /** False when the run was stopped before it finished (then results are not to be written). */
  complete: boolean;
}

/** What was observed, for engines that use it: LOAD with `demand: OBSERVED` takes demand from it. */
export interface EngineObservations {
  /** Observed demand in kW by consumer (its kind's demandMetric at the run's moment). */
  demandKw?: ReadonlyMap<string, number>;
  /** CALIBRATE: per asset with any, its status observations in the window and the status before it. */
  statuses?: ReadonlyMap<string, { before: Scalar | null; observations: StatusObservation[] }>;
}

/** Assets named in a CALIBRATE summary as not calibrated, at most (all are counted). */
const NOT_CALIBRATED_LISTED = 100;

export interface EngineHooks {
  onProgress?: (fraction: number) => void;
  shouldStop?: () => boolean;
}


/** Run the engine a scenario asks for on a snapshot. Pure: same input and snapshot, same output. */
export function runScenarioEngine(input: ScenarioInput, snapshot: GraphSnapshot, hooks: EngineHooks = {}, observed: EngineObservations = {}): EngineOutput {
  switch (input.kind) {
    case 'IMPACT': {
      const impact = computeImpact(snapshot.edges, input.failed);
      const results = [...impact.down, ...impact.atRisk].map((e) => ({ ...NO_OUTCOME, assetId: e.id, state: e.state, depth: e.depth, cause: e.cause }));
      return {
        engineVersion: IMPACT_ENGINE_VERSION,
        results,
        summary: { failed: impact.failed, down: impact.down.length, atRisk: impact.atRisk.length },
        complete: true,
      };
    }
    case 'RELIABILITY': {
      const out = runReliability(snapshot, { samples: input.samples!, seed: input.seed, failed: input.failed, ...hooks });
      return {
        engineVersion: RELIABILITY_ENGINE_VERSION,
        results: out.assets.map((a) => ({ ...NO_OUTCOME, assetId: a.id, availability: a.availability, availabilityLow: a.availabilityLow, availabilityHigh: a.availabilityHigh })),
        summary: { ...out.summary },
        complete: !out.summary.stoppedEarly,
      };
    }
    case 'LOAD': {
      const out = runLoad(snapshot, { failed: input.failed, loadFactors: input.loadFactors, demandKw: observed.demandKw });
      const results = out.assets
        .filter((a) => a.loadKw > 0 || a.capacityKw !== null || a.state === 'DOWN')
        .map((a) => ({ ...NO_OUTCOME, assetId: a.id, state: a.state, loadKw: a.loadKw, utilization: a.utilization, overloaded: a.overloaded }));
      return {
        engineVersion: LOAD_ENGINE_VERSION,
        results,
        summary: { ...out.summary, down: out.summary.down.length, overloadedCount: out.summary.overloaded.length },
        complete: true,
      };
    }
    case 'CALIBRATE': {
      // Every asset of the scope is estimated from its own status history, or listed as not calibrated.
      const results: EngineResult[] = [];
      const notCalibrated: { assetId: string; reason: string }[] = [];
      for (const id of [...snapshot.assets.keys()].sort()) {
        const status = observed.statuses?.get(id);
        const c = calibrate({ from: input.from!, to: input.to!, observations: status?.observations ?? [], statusBefore: status?.before ?? null });
        if (!c.calibrated) {
          notCalibrated.push({ assetId: id, reason: c.reason });
          continue;
        }
        results.push({ ...NO_OUTCOME, assetId: id, availability: c.availability, availabilityLow: c.availabilityLow, availabilityHigh: c.availabilityHigh, failures: c.failures, mtbfHours: c.mtbfHours, mttrHours: c.mttrHours });
      }
      return {
        engineVersion: CALIBRATE_ENGINE_VERSION,
        results,
        summary: { from: input.from, to: input.to, calibrated: results.length, notCalibratedCount: notCalibrated.length, notCalibrated: notCalibrated.slice(0, NOT_CALIBRATED_LISTED) },
        complete: true,
      };
    }
  }
}
