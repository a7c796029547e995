/** Scenario runs and their results, as stored through the GraphStore. */

export type ScenarioKind = 'IMPACT' | 'RELIABILITY' | 'LOAD' | 'CALIBRATE';
export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type ImpactState = 'DOWN' | 'AT_RISK';

export interface LoadFactor {
  assetId?: string;
  kind?: string;
  factor: number;
}

/** What a caller asked for, after validation and defaults. */
export interface ScenarioInput {
  kind: ScenarioKind;
  /** Scope: these assets plus `maxDepth` dependency hops both ways; absent = the whole twin. */
  roots?: string[];
  maxDepth?: number;
  failed: string[];
  loadFactors: LoadFactor[];
  /** RELIABILITY only. */
  samples?: number;
  seed: number;
  /** Replay: run on the twin as it was at this moment (ISO; topology history); absent = now. */
  asOf?: string;
  /** CALIBRATE: the window of status history to estimate from (ISO; from inclusive, to exclusive). */
  from?: string;
  to?: string;
  /** LOAD: consumers' demand from their `loadKw` property (MODELED, the default) or from observed state (OBSERVED). */
  demand?: 'MODELED' | 'OBSERVED';
}

export interface ScenarioRunRecord {
  id: string;
  kind: ScenarioKind;
  status: RunStatus;
  /** 0 to 1. */
  progress: number;
  seed: number;
  error: string | null;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  summary: Record<string, unknown> | null;
  input: ScenarioInput;
  idempotencyKey: string | null;
  /** Reproducibility: engine and model versions and a hash of the input subgraph. */
  engineVersion: string | null;
  modelVersion: string | null;
  inputHash: string | null;
  /** How many times a worker started this run. */
  attempts: number;
}

/** Fields a status change may set. */
export type ScenarioRunPatch = Partial<Pick<ScenarioRunRecord,
  'status' | 'progress' | 'error' | 'startedAt' | 'finishedAt' | 'summary' | 'engineVersion' | 'modelVersion' | 'inputHash' | 'attempts'>>;

export interface SimulationResultRecord {
  runId: string;
  assetId: string;
  state: ImpactState | null;
  depth: number | null;
  cause: string | null;
  availability: number | null;
  availabilityLow: number | null;
  availabilityHigh: number | null;
  loadKw: number | null;
  utilization: number | null;
  overloaded: boolean | null;
  /** LOAD: the asset's observed load (its kind's loadMetric at the run's moment), and predicted − observed. */
  observedLoadKw: number | null;
  errorKw: number | null;
  /** CALIBRATE: transitions into DOWN in the window, and the mean times between failures and to repair (null without one). */
  failures: number | null;
  mtbfHours: number | null;
  mttrHours: number | null;
  /** Read only, present when true: the asset was deleted after the result was written (the result is kept). */
  assetDeleted?: boolean;
}

/** The outcome fields of a result, all empty: each engine fills the ones it computes. */
export const NO_OUTCOME: Omit<SimulationResultRecord, 'runId' | 'assetId'> = {
  state: null,
  depth: null,
  cause: null,
  availability: null,
  availabilityLow: null,
  availabilityHigh: null,
  loadKw: null,
  utilization: null,
  overloaded: null,
  observedLoadKw: null,
  errorKw: null,
  failures: null,
  mtbfHours: null,
  mttrHours: null,
};

/** The outcome fields of a result as stores write them: every one present, null when unset. */
export function outcomeOf(r: Partial<SimulationResultRecord>): Omit<SimulationResultRecord, 'runId' | 'assetId'> {
  return {
    state: r.state ?? null,
    depth: r.depth ?? null,
    cause: r.cause ?? null,
    availability: r.availability ?? null,
    availabilityLow: r.availabilityLow ?? null,
    availabilityHigh: r.availabilityHigh ?? null,
    loadKw: r.loadKw ?? null,
    utilization: r.utilization ?? null,
    overloaded: r.overloaded ?? null,
    observedLoadKw: r.observedLoadKw ?? null,
    errorKw: r.errorKw ?? null,
    failures: r.failures ?? null,
    mtbfHours: r.mtbfHours ?? null,
    mttrHours: r.mttrHours ?? null,
  };
}

export interface ScenarioRunFilter {
  statuses?: RunStatus[];
  kinds?: ScenarioKind[];
}
