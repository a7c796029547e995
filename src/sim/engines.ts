/**
 * The pure simulation engines behind scenarios (no I/O): each takes a GraphSnapshot and plain
 * options and returns plain data. Their version strings are stored with every run.
 */
import { IMPACT_ENGINE_VERSION } from './impact';
import { LOAD_ENGINE_VERSION } from './load';
import { RELIABILITY_ENGINE_VERSION } from './reliability';

export { computeImpact, redundancyGroups, IMPACT_ENGINE_VERSION, type ImpactEntry, type ImpactResult } from './impact';
export {
  runReliability,
  runReliabilityAsync,
  startReliability,
  ownAvailability,
  wilsonInterval,
  RELIABILITY_ENGINE_VERSION,
  type AssetAvailability,
  type ConvergencePoint,
  type ReliabilityOptions,
  type ReliabilityResult,
  type ReliabilityRun,
  type ReliabilitySummary,
} from './reliability';
export { runLoad, LOAD_ENGINE_VERSION, type AssetLoad, type LoadFactor, type LoadOptions, type LoadResult, type LoadSummary } from './load';
export { createRandom, Xoshiro128, type Random } from './random';
export { fidelity, type FidelityAsset, type FidelityPair, type FidelityResult } from './fidelity';
export {
  calibrate,
  availabilityInterval,
  exponentialMeanInterval,
  classifyStatus,
  CALIBRATE_ENGINE_VERSION,
  CALIBRATE_CONFIDENCE_LEVEL,
  type Calibration,
  type CalibrateInput,
  type CalibrateOptions,
  type CalibrationResult,
  type IntervalBasis,
  type NotCalibrated,
  type StatusClass,
  type StatusObservation,
  type WindowHours,
} from './calibrate';

/** Engine version per scenario kind. */
export const ENGINE_VERSIONS = {
  IMPACT: IMPACT_ENGINE_VERSION,
  RELIABILITY: RELIABILITY_ENGINE_VERSION,
  LOAD: LOAD_ENGINE_VERSION,
} as const;
