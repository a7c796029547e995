/**
 * FIDELITY: how far a LOAD prediction is from the load that was observed, per asset and overall
 * (MAPE, RMSE, worst assets). Pure: no I/O.
 */
import { badInput } from '../errors';

/** One asset's predicted and observed load, in kW. */
export interface FidelityPair {
  assetId: string;
  predictedKw: number;
  observedKw: number;
}

export interface FidelityAsset extends FidelityPair {
  /** `predictedKw − observedKw`: positive when the prediction is too high. */
  errorKw: number;
  /** `|errorKw|`. */
  absErrorKw: number;
  /** `|errorKw| / |observedKw|` (a fraction, 0.1 = 10%); null when `observedKw` is 0. */
  relativeError: number | null;
}

export interface FidelityResult {
  /** Pairs compared (all of them). */
  compared: number;
  /**
   * Mean absolute percentage error as a fraction (0.1 = 10%): the mean of `|error| / |observed|`
   * over the pairs observed at a value other than 0; null when there is none.
   */
  mape: number | null;
  /** Root mean square of the errors over all pairs, in kW; null when there is none. */
  rmse: number | null;
  /** Mean error (bias) over all pairs, in kW: positive when predictions run high; null when none. */
  meanErrorKw: number | null;
  /** Largest `|error|`, in kW; null when there is none. */
  maxAbsErrorKw: number | null;
  /**
   * Ids of the assets with the largest `|error|` (ties: smaller id first), at most `worstCount`.
   * Assets predicted exactly (error 0) are never listed.
   */
  worst: string[];
  /** Pairs observed at 0: left out of MAPE (their relative error is undefined), in RMSE and `compared`. */
  zeroObserved: number;
  /** Every pair with its error, sorted by asset id. */
  assets: FidelityAsset[];
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Compare predicted with observed load, asset by asset.
 *
 * @param pairs one per asset (a second pair for an asset is an error); loads are finite numbers.
 * @param worstCount how many assets `worst` lists at most; a whole number of at least 0, default 5.
 * @throws DomainError (BAD_USER_INPUT) naming the pair for a missing asset id, a load that is not a
 *   finite number, a repeated asset, or a bad `worstCount`.
 */
export function fidelity(pairs: readonly FidelityPair[], worstCount = 5): FidelityResult {
  if (!Number.isInteger(worstCount) || worstCount < 0) {
    throw badInput(`worstCount must be a whole number of at least 0, got ${JSON.stringify(worstCount)}`, { field: 'worstCount' });
  }
  const seen = new Set<string>();
  const assets: FidelityAsset[] = pairs.map(({ assetId, predictedKw, observedKw }, i) => {
    if (typeof assetId !== 'string' || assetId === '') throw badInput(`pairs[${i}]: assetId must be a non-empty string`, { index: i });
    for (const [field, value] of [
      ['predictedKw', predictedKw],
      ['observedKw', observedKw],
    ] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw badInput(`pairs[${i}] (asset ${assetId}): ${field} must be a finite number, got ${JSON.stringify(value)}`, { index: i, assetId });
      }
    }
    if (seen.has(assetId)) throw badInput(`pairs[${i}]: a second pair for asset ${assetId}`, { index: i, assetId });
    seen.add(assetId);
    const errorKw = predictedKw - observedKw;
    const absErrorKw = Math.abs(errorKw);
    return { assetId, predictedKw, observedKw, errorKw, absErrorKw, relativeError: observedKw === 0 ? null : absErrorKw / Math.abs(observedKw) };
  });
  assets.sort((a, b) => byId(a.assetId, b.assetId));

  const n = assets.length;
  let squares = 0;
  let sum = 0;
  let relativeSum = 0;
  let relativeCount = 0;
  let maxAbs: number | null = null;
  for (const a of assets) {
    squares += a.errorKw * a.errorKw;
    sum += a.errorKw;
    if (a.relativeError !== null) {
      relativeSum += a.relativeError;
      relativeCount++;
    }
    if (maxAbs === null || a.absErrorKw > maxAbs) maxAbs = a.absErrorKw;
  }
  const worst = assets
    .filter((a) => a.absErrorKw > 0)
    .sort((a, b) => b.absErrorKw - a.absErrorKw || byId(a.assetId, b.assetId))
    .slice(0, worstCount)
    .map((a) => a.assetId);

  return {
    compared: n,
    mape: relativeCount === 0 ? null : relativeSum / relativeCount,
    rmse: n === 0 ? null : Math.sqrt(squares / n),
    meanErrorKw: n === 0 ? null : sum / n,
    maxAbsErrorKw: maxAbs,
    worst,
    zeroObserved: n - relativeCount,
    assets,
  };
}
