/**
 * CALIBRATE: estimate an asset's availability, MTBF and MTTR from its observed status history,
 * with stated 95% intervals. Pure: no I/O, no clock, no randomness; same input, same output.
 */
import { jStat } from 'jstat';
import { badInput } from '../errors';
import type { Scalar } from '../graph/types';

/** Version of the calibration semantics; stored with whatever is calibrated so results can be reproduced. */
export const CALIBRATE_ENGINE_VERSION = 'calibrate/1';

/** Confidence level of every interval CALIBRATE states (two-sided; 2.5% in each tail). */
export const CALIBRATE_CONFIDENCE_LEVEL = 0.95;

const LOWER_TAIL = (1 - CALIBRATE_CONFIDENCE_LEVEL) / 2;
const UPPER_TAIL = 1 - LOWER_TAIL;
const MS_PER_HOUR = 3_600_000;

/**
 * How a status value counts:
 * - `up`: `UP` or `DEGRADED` (degraded still serves);
 * - `down`: `DOWN`;
 * - `maintenance`: `MAINTENANCE`, planned downtime, taken out of the window;
 * - `unknown`: anything else (`UNKNOWN`, another string, a number, a boolean, a status in another
 *   case such as `down`), also taken out of the window: it is not evidence of either.
 *
 * Matching is exact, as the twin model's `status` values are (UP, DOWN, DEGRADED, MAINTENANCE).
 */
export type StatusClass = 'up' | 'down' | 'maintenance' | 'unknown';

/** The class of a status value (see {@link StatusClass}); null or undefined is `unknown`. */
export function classifyStatus(value: Scalar | null | undefined): StatusClass {
  switch (value) {
    case 'UP':
    case 'DEGRADED':
      return 'up';
    case 'DOWN':
      return 'down';
    case 'MAINTENANCE':
      return 'maintenance';
    default:
      return 'unknown';
  }
}

/** One observation of an asset's status. */
export interface StatusObservation {
  /** ISO-8601 date-time. */
  observedAt: string;
  value: Scalar;
}

export interface CalibrateInput {
  /** Start of the window, ISO-8601, inclusive. */
  from: string;
  /** End of the window, ISO-8601, exclusive; after `from`. */
  to: string;
  /**
   * The asset's status observations with `from <= observedAt < to`, oldest first (equal times
   * allowed: the later one in the array wins, the earlier holds for no time).
   */
  observations: readonly StatusObservation[];
  /**
   * The last status observed before `from` (e.g. the history's state as of `from`), which holds
   * from `from` until the first observation of the window. Null or undefined when there is none:
   * then the time before the first observation is not counted (`unobservedHours`). An observation
   * at exactly `from` may be both this and the first of `observations`; it then changes nothing.
   */
  statusBefore?: Scalar | null;
}

export interface CalibrateOptions {
  /**
   * A repair time from outside the data (e.g. the asset's current `mttrHours` property or a vendor
   * figure), used for one thing only: the lower availability bound of a window that saw no failure,
   * no repair and no down time at all, which the data alone cannot bound above 0 (see
   * {@link availabilityInterval}). A positive number; default none (that bound is then 0).
   */
  assumedMttrHours?: number;
}

/**
 * What the lower availability bound rests on:
 * - `observed`: at least one repair was observed; both ends come from the data;
 * - `noRepairObserved`: no repair was observed, so nothing bounds MTTR from above and the lower
 *   bound is 0 (the honest answer, not a failure of the method);
 * - `assumedMttr`: no failure, repair or down time; the lower bound combines the zero-failure
 *   lower bound of MTBF with `assumedMttrHours`.
 */
export type IntervalBasis = 'observed' | 'noRepairObserved' | 'assumedMttr';

/**
 * Where the window's time went. `upHours + downHours + excludedHours = windowHours`;
 * `excludedHours = maintenanceHours + unknownHours + unobservedHours`.
 */
export interface WindowHours {
  windowHours: number;
  /** Time in an up status (UP, DEGRADED). */
  upHours: number;
  /** Time DOWN. */
  downHours: number;
  /** Time that counts neither as up nor as down. */
  excludedHours: number;
  /** Time in MAINTENANCE. */
  maintenanceHours: number;
  /** Time in a status that is none of the known ones (UNKNOWN, a non-string, …). */
  unknownHours: number;
  /** Time before the first observation when no status before the window was given. */
  unobservedHours: number;
}

export interface Calibration extends WindowHours {
  calibrated: true;
  engineVersion: string;
  /** Observations in the window. */
  observations: number;
  /** Time-weighted: `upHours / (upHours + downHours)`. */
  availability: number;
  /** 95% interval of the availability (see {@link availabilityInterval}); always contains `availability`. */
  availabilityLow: number;
  availabilityHigh: number;
  confidenceLevel: number;
  intervalBasis: IntervalBasis;
  /**
   * Transitions into DOWN from an up status at an observation of the window. The status compared
   * with is the last up or down one before it (MAINTENANCE and unknown statuses in between are
   * skipped: UP, MAINTENANCE, DOWN is a failure), the status before the window included; a window
   * that starts DOWN carried from before has no failure for it.
   */
  failures: number;
  /** Transitions from DOWN to an up status, counted the same way (DOWN, MAINTENANCE, UP is a repair). */
  repairs: number;
  /** `upHours / failures` (the exponential maximum-likelihood estimate); null without a failure. */
  mtbfHours: number | null;
  /**
   * 95% interval of MTBF (see {@link exponentialMeanInterval}). With no failure the lower end is
   * still stated (the zero-failure bound) and the upper end is null (unbounded).
   */
  mtbfHoursLow: number;
  mtbfHoursHigh: number | null;
  /** `downHours / repairs`; null without a repair. */
  mttrHours: number | null;
  /** 95% interval of MTTR, as for MTBF (an unfinished repair still gives a lower end). */
  mttrHoursLow: number;
  mttrHoursHigh: number | null;
}

export interface NotCalibrated extends WindowHours {
  calibrated: false;
  engineVersion: string;
  /** Why no estimate is given, in words. */
  reason: string;
  observations: number;
}

/** A calibration, or the reason there is none. Never a made-up value. */
export type CalibrationResult = Calibration | NotCalibrated;

function parseTime(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw badInput(`${field} must be an ISO-8601 date-time, got ${JSON.stringify(value)}`, { field });
  return ms;
}

/**
 * 95% interval of the availability A = MTBF / (MTBF + MTTR) from `upHours` U with `failures` r
 * and `downHours` D with `repairs` r'.
 *
 * Model: up times exponential with rate λ = 1/MTBF, down times exponential with rate μ = 1/MTTR,
 * alternating. The likelihood of what a window shows is λ^r e^(−λU) · μ^r' e^(−μD) whatever the
 * window cuts (the exponential is memoryless, so a period carried in or left unfinished is fine),
 * which is that of two Poisson processes watched for U and D hours. Given n = r + r', r is
 * Binomial(n, π) with π = λU / (λU + μD), and MTTR/MTBF = λ/μ = (D/U)·π/(1 − π). The exact
 * (Clopper–Pearson) 95% interval for π,
 *
 *     π_L = Beta⁻¹(0.025; r, r' + 1)   (0 when r = 0)
 *     π_U = Beta⁻¹(0.975; r + 1, r')   (1 when r' = 0)
 *
 * maps, since A = 1 / (1 + λ/μ) decreases in π, to
 *
 *     A_low  = U(1 − π_U) / (U(1 − π_U) + D·π_U)
 *     A_high = U(1 − π_L) / (U(1 − π_L) + D·π_L)
 *
 * or, in F quantiles (a Beta(a, b) quantile x has x/(1 − x) = (a/b)·F(2a, 2b)),
 *
 *     A_low  = 1 / (1 + [(D/r') / (U/(r + 1))] · F_0.975(2r + 2, 2r'))
 *     A_high = 1 / (1 + [(D/(r' + 1)) / (U/r)] · F_0.025(2r, 2r' + 2)).
 *
 * That is the classical F interval for availability (the ratio of mean down to mean up time is F
 * distributed) with one more event on the side being bounded, the usual correction for a window
 * that does not stop at a failure or repair; the failure-truncated version would use F(2r', 2r).
 * Coverage is at least 95% for Poisson counts (Clopper–Pearson is conservative) and approximate for
 * the alternating process, whose exposures are themselves random.
 *
 * Properties: in an alternating history |r − r'| ≤ 1, for which π = 1/2 always lies in [π_L, π_U];
 * π = 1/2 is A = U/(U + D), so the interval always contains the time-weighted point estimate. It
 * narrows as cycles accumulate. With no failure A_high = 1. With no repair A_low = 0: an unfinished
 * or unseen repair leaves MTTR unbounded above, and with it the unavailability.
 *
 * @param upHours U, at least 0; `upHours + downHours` must be positive.
 * @param downHours D, at least 0.
 * @param failures r, a whole number.
 * @param repairs r', a whole number.
 */
export function availabilityInterval(upHours: number, downHours: number, failures: number, repairs: number): { low: number; high: number } {
  const piLow = failures === 0 ? 0 : jStat.beta.inv(LOWER_TAIL, failures, repairs + 1);
  const piHigh = repairs === 0 ? 1 : jStat.beta.inv(UPPER_TAIL, failures + 1, repairs);
  const availabilityAt = (pi: number) => {
    if (pi <= 0) return 1;
    if (pi >= 1) return 0;
    const up = upHours * (1 - pi);
    return up / (up + downHours * pi);
  };
  return { low: availabilityAt(piHigh), high: availabilityAt(piLow) };
}

/**
 * 95% interval of the mean of exponential times from `hours` of exposure with `events` events
 * (MTBF from up time and failures; MTTR from down time and repairs): the chi-square interval for a
 * time-truncated test,
 *
 *     low  = 2·hours / χ²_0.975(2·events + 2)
 *     high = 2·hours / χ²_0.025(2·events)      (null when events = 0: unbounded)
 *
 * With no event the lower end is the zero-failure bound hours / ln 40 (97.5% one-sided).
 */
export function exponentialMeanInterval(hours: number, events: number): { low: number; high: number | null } {
  return {
    low: (2 * hours) / jStat.chisquare.inv(UPPER_TAIL, 2 * events + 2),
    high: events === 0 ? null : (2 * hours) / jStat.chisquare.inv(LOWER_TAIL, 2 * events),
  };
}

/**
 * CALIBRATE one asset from its status history in the window [from, to).
 *
 * Each status holds from its observation until the next one (or `to`); the status before the
 * window holds from `from` until the first observation (uncounted when there is none, see
 * {@link CalibrateInput.statusBefore}). Up statuses (UP, DEGRADED) count as up time, DOWN as down
 * time; MAINTENANCE and every other value (see {@link StatusClass}) are taken out of the window.
 * Availability is the time-weighted `up / (up + down)`; failures and repairs are counted as in
 * {@link Calibration.failures}; MTBF and MTTR are the exponential estimates with their intervals
 * ({@link exponentialMeanInterval}); the availability interval is {@link availabilityInterval},
 * except that a window with no failure, no repair and no down time takes its lower bound from
 * `options.assumedMttrHours` when given: A_low = M / (M + assumedMttrHours) with M = U / ln 40,
 * the zero-failure 97.5% lower bound of MTBF (otherwise 0).
 *
 * Not calibrated (with the reason) when there is no status in or before the window, or when no
 * time counts as up or down.
 *
 * @throws DomainError (BAD_USER_INPUT) for a window whose `to` is not after `from`, a timestamp
 *   that is not a date-time, an observation outside the window or out of order, or an
 *   `assumedMttrHours` that is not a positive number.
 */
export function calibrate(input: CalibrateInput, options: CalibrateOptions = {}): CalibrationResult {
  const fromMs = parseTime(input.from, 'from');
  const toMs = parseTime(input.to, 'to');
  if (!(toMs > fromMs)) throw badInput(`to must be after from, got from ${input.from} and to ${input.to}`, { field: 'to' });
  const { assumedMttrHours } = options;
  if (assumedMttrHours !== undefined && !(typeof assumedMttrHours === 'number' && Number.isFinite(assumedMttrHours) && assumedMttrHours > 0)) {
    throw badInput(`assumedMttrHours must be a positive number, got ${JSON.stringify(assumedMttrHours)}`, { field: 'assumedMttrHours' });
  }

  const ms = { up: 0, down: 0, maintenance: 0, unknown: 0, unobserved: 0 };
  const hasBefore = input.statusBefore !== null && input.statusBefore !== undefined;
  let current: StatusClass | 'unobserved' = hasBefore ? classifyStatus(input.statusBefore) : 'unobserved';
  let lastCounted: 'up' | 'down' | null = current === 'up' || current === 'down' ? current : null;
  let since = fromMs;
  let failures = 0;
  let repairs = 0;
  input.observations.forEach((observation, i) => {
    const at = parseTime(observation?.observedAt, `observations[${i}].observedAt`);
    if (at < fromMs || at >= toMs) {
      throw badInput(`observations[${i}].observedAt ${observation.observedAt} is outside the window [${input.from}, ${input.to})`, { index: i });
    }
    if (at < since) throw badInput(`observations[${i}].observedAt ${observation.observedAt} is before the observation ahead of it: oldest first`, { index: i });
    ms[current] += at - since;
    since = at;
    current = classifyStatus(observation.value);
    if (current === 'up' || current === 'down') {
      if (lastCounted === 'up' && current === 'down') failures++;
      if (lastCounted === 'down' && current === 'up') repairs++;
      lastCounted = current;
    }
  });
  ms[current] += toMs - since;

  const hours: WindowHours = {
    windowHours: (toMs - fromMs) / MS_PER_HOUR,
    upHours: ms.up / MS_PER_HOUR,
    downHours: ms.down / MS_PER_HOUR,
    excludedHours: (ms.maintenance + ms.unknown + ms.unobserved) / MS_PER_HOUR,
    maintenanceHours: ms.maintenance / MS_PER_HOUR,
    unknownHours: ms.unknown / MS_PER_HOUR,
    unobservedHours: ms.unobserved / MS_PER_HOUR,
  };
  const observations = input.observations.length;
  const notCalibrated = (reason: string): NotCalibrated => ({ calibrated: false, engineVersion: CALIBRATE_ENGINE_VERSION, reason, observations, ...hours });
  if (observations === 0 && !hasBefore) return notCalibrated('no status observations in or before the window');
  if (ms.up + ms.down === 0) {
    return notCalibrated('no time counted as up or down: the window held only MAINTENANCE, unknown statuses, or time before the first observation');
  }

  const { upHours, downHours } = hours;
  const availability = upHours / (upHours + downHours);
  const interval = availabilityInterval(upHours, downHours, failures, repairs);
  const mtbf = exponentialMeanInterval(upHours, failures);
  const mttr = exponentialMeanInterval(downHours, repairs);
  let intervalBasis: IntervalBasis = repairs > 0 ? 'observed' : 'noRepairObserved';
  let low = interval.low;
  if (failures === 0 && repairs === 0 && ms.down === 0 && assumedMttrHours !== undefined) {
    intervalBasis = 'assumedMttr';
    low = mtbf.low / (mtbf.low + assumedMttrHours);
  }
  return {
    calibrated: true,
    engineVersion: CALIBRATE_ENGINE_VERSION,
    observations,
    ...hours,
    availability,
    // Proven to hold without them (see availabilityInterval); the clamps only guard rounding.
    availabilityLow: Math.min(low, availability),
    availabilityHigh: Math.max(interval.high, availability),
    confidenceLevel: CALIBRATE_CONFIDENCE_LEVEL,
    intervalBasis,
    failures,
    repairs,
    mtbfHours: failures === 0 ? null : upHours / failures,
    mtbfHoursLow: mtbf.low,
    mtbfHoursHigh: mtbf.high,
    mttrHours: repairs === 0 ? null : downHours / repairs,
    mttrHoursLow: mttr.low,
    mttrHoursHigh: mttr.high,
  };
}
