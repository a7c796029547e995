/**
 * CALIBRATE (src/sim/calibrate.ts) against hand-built status histories. The expected quantiles are
 * computed here independently of the library the module uses: Beta quantiles with small whole
 * shapes in closed form or by bisection of their binomial-sum CDFs, chi-square quantiles of even
 * degrees of freedom by bisection of their Poisson-sum CDFs.
 */
import {
  availabilityInterval,
  calibrate,
  CALIBRATE_ENGINE_VERSION,
  classifyStatus,
  exponentialMeanInterval,
  type Calibration,
  type CalibrateInput,
  type CalibrateOptions,
  type NotCalibrated,
  type StatusObservation,
} from '../../src/sim/calibrate';
import type { Scalar } from '../../src/graph/types';

const T0 = Date.UTC(2026, 0, 1);
/** The instant `hours` after the start of the test window. */
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const obs = (hours: number, value: Scalar): StatusObservation => ({ observedAt: at(hours), value });
/** A window [0, `hours`) with the given observations. */
const window = (hours: number, observations: StatusObservation[], statusBefore?: Scalar | null): CalibrateInput => ({
  from: at(0),
  to: at(hours),
  observations,
  statusBefore,
});

function calibrated(input: CalibrateInput, options?: CalibrateOptions): Calibration {
  const result = calibrate(input, options);
  if (!result.calibrated) throw new Error(`expected a calibration, got: ${result.reason}`);
  return result;
}
function notCalibrated(input: CalibrateInput): NotCalibrated {
  const result = calibrate(input);
  if (result.calibrated) throw new Error('expected no calibration');
  return result;
}

/** Root of an increasing function on [lo, hi] by bisection. */
function solve(f: (x: number) => number, target: number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
const choose = (n: number, k: number) => {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
};
/** Beta(a, b) quantile for whole a, b: I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a). */
function betaQuantile(p: number, a: number, b: number): number {
  const n = a + b - 1;
  const cdf = (x: number) => {
    let s = 0;
    for (let k = a; k <= n; k++) s += choose(n, k) * x ** k * (1 - x) ** (n - k);
    return s;
  };
  return solve(cdf, p, 0, 1);
}
/** Chi-square quantile with 2k degrees of freedom: P(χ²(2k) ≤ x) = P(Poisson(x/2) ≥ k). */
function chiSquareQuantile(p: number, dof: number): number {
  const k = dof / 2;
  const cdf = (x: number) => {
    let term = Math.exp(-x / 2);
    let s = 0;
    for (let i = 0; i < k; i++) {
      s += term;
      term *= x / 2 / (i + 1);
    }
    return 1 - s;
  };
  return solve(cdf, p, 0, 10 * dof + 100);
}
/** A = U(1 − π) / (U(1 − π) + Dπ), the availability at binomial parameter π (see availabilityInterval). */
const availabilityAt = (up: number, down: number, pi: number) => (up * (1 - pi)) / (up * (1 - pi) + down * pi);

describe('classifyStatus', () => {
  test('UP and DEGRADED are up, DOWN down, MAINTENANCE maintenance, anything else unknown', () => {
    expect(['UP', 'DEGRADED', 'DOWN', 'MAINTENANCE'].map(classifyStatus)).toEqual(['up', 'up', 'down', 'maintenance']);
    expect(['UNKNOWN', 'down', 'Up', '', 0, 1, true, false, null, undefined].map(classifyStatus)).toEqual(Array(10).fill('unknown'));
  });
});

describe('calibrate', () => {
  test('a hand-built history: time-weighted availability, failures, repairs, MTBF and MTTR', () => {
    // Up 0–30, down 30–34, up 34–70 (DEGRADED from 50 still counts as up), down 70–76, up 76–100.
    const result = calibrated(window(100, [obs(0, 'UP'), obs(30, 'DOWN'), obs(34, 'UP'), obs(50, 'DEGRADED'), obs(70, 'DOWN'), obs(76, 'UP')]));
    expect(result).toMatchObject({
      calibrated: true,
      engineVersion: CALIBRATE_ENGINE_VERSION,
      observations: 6,
      windowHours: 100,
      upHours: 90,
      downHours: 10,
      excludedHours: 0,
      failures: 2,
      repairs: 2,
      intervalBasis: 'observed',
      confidenceLevel: 0.95,
    });
    expect(result.availability).toBeCloseTo(0.9, 12);
    expect(result.mtbfHours).toBeCloseTo(45, 12);
    expect(result.mttrHours).toBeCloseTo(5, 12);

    // r = r' = 2: π_U = Beta⁻¹(0.975; 3, 2) and π_L = Beta⁻¹(0.025; 2, 3) = 1 − π_U by symmetry;
    // I_x(3, 2) = 4x³ − 3x⁴.
    const piHigh = solve((x) => 4 * x ** 3 - 3 * x ** 4, 0.975, 0, 1);
    expect(betaQuantile(0.975, 3, 2)).toBeCloseTo(piHigh, 12);
    expect(result.availabilityLow).toBeCloseTo(availabilityAt(90, 10, piHigh), 8);
    expect(result.availabilityHigh).toBeCloseTo(availabilityAt(90, 10, 1 - piHigh), 8);

    // MTBF in [2U/χ²_0.975(6), 2U/χ²_0.025(4)], MTTR likewise with D.
    expect(result.mtbfHoursLow).toBeCloseTo(180 / chiSquareQuantile(0.975, 6), 8);
    expect(result.mtbfHoursHigh!).toBeCloseTo(180 / chiSquareQuantile(0.025, 4), 8);
    expect(result.mttrHoursLow).toBeCloseTo(20 / chiSquareQuantile(0.975, 6), 8);
    expect(result.mttrHoursHigh!).toBeCloseTo(20 / chiSquareQuantile(0.025, 4), 8);
    expect(result.mtbfHoursLow).toBeLessThan(45);
    expect(result.mtbfHoursHigh!).toBeGreaterThan(45);
  });

  test('one failure and one repair: the interval in closed form (Beta(2, 1) and Beta(1, 2) quantiles)', () => {
    const result = calibrated(window(100, [obs(0, 'UP'), obs(80, 'DOWN'), obs(85, 'UP')]));
    expect(result).toMatchObject({ upHours: 95, downHours: 5, failures: 1, repairs: 1 });
    // π_U = Beta⁻¹(0.975; 2, 1) = √0.975; π_L = Beta⁻¹(0.025; 1, 2) = 1 − √0.975.
    expect(result.availabilityLow).toBeCloseTo(availabilityAt(95, 5, Math.sqrt(0.975)), 9);
    expect(result.availabilityHigh).toBeCloseTo(availabilityAt(95, 5, 1 - Math.sqrt(0.975)), 9);
    // χ²_0.025(2) = −2 ln 0.975: MTBF high = 2·95 / (−2 ln 0.975).
    expect(result.mtbfHoursHigh!).toBeCloseTo(95 / -Math.log(0.975), 6);
  });

  test('MAINTENANCE is taken out of the window: neither up nor down', () => {
    const result = calibrated(window(100, [obs(0, 'UP'), obs(40, 'MAINTENANCE'), obs(50, 'UP'), obs(80, 'DOWN'), obs(90, 'UP')]));
    expect(result).toMatchObject({ upHours: 80, downHours: 10, maintenanceHours: 10, excludedHours: 10, failures: 1, repairs: 1 });
    expect(result.availability).toBeCloseTo(80 / 90, 12); // would be 0.9 if maintenance counted as up
    expect(result.mtbfHours).toBeCloseTo(80, 12);
  });

  test('transitions are judged against the last up or down status: through MAINTENANCE too', () => {
    // UP, MAINTENANCE, DOWN is a failure; DOWN, MAINTENANCE, UP a repair; UP, MAINTENANCE, UP neither.
    const result = calibrated(
      window(100, [obs(0, 'UP'), obs(10, 'MAINTENANCE'), obs(20, 'DOWN'), obs(30, 'MAINTENANCE'), obs(35, 'UP'), obs(60, 'MAINTENANCE'), obs(70, 'UP')]),
    );
    expect(result).toMatchObject({ upHours: 10 + 25 + 30, downHours: 10, maintenanceHours: 10 + 5 + 10, failures: 1, repairs: 1 });
  });

  test('unknown statuses (UNKNOWN, other strings, non-strings) are taken out of the window too', () => {
    const result = calibrated(window(100, [obs(0, 'UP'), obs(10, 'UNKNOWN'), obs(20, 42), obs(30, true), obs(40, 'down'), obs(50, 'DOWN'), obs(60, 'UP')]));
    expect(result).toMatchObject({ upHours: 10 + 40, downHours: 10, unknownHours: 40, maintenanceHours: 0, excludedHours: 40, failures: 1, repairs: 1 });
    expect(result.availability).toBeCloseTo(50 / 60, 12);
  });

  test('the status before the window holds until its first observation; a DOWN carried in is not a failure', () => {
    const observations = [obs(10, 'UP'), obs(60, 'DOWN'), obs(62, 'UP')];
    const carried = calibrated(window(100, observations, 'DOWN'));
    expect(carried).toMatchObject({ downHours: 12, upHours: 88, unobservedHours: 0, failures: 1, repairs: 2 });
    expect(carried.mttrHours).toBeCloseTo(6, 12);
    expect(carried.mtbfHours).toBeCloseTo(88, 12);
    expect(carried.availability).toBeCloseTo(0.88, 12);

    // Without it, the first 10 hours are not counted.
    const uncarried = calibrated(window(100, observations));
    expect(uncarried).toMatchObject({ downHours: 2, upHours: 88, unobservedHours: 10, excludedHours: 10, failures: 1, repairs: 1 });
    expect(uncarried.availability).toBeCloseTo(88 / 90, 12);
    expect(calibrated(window(100, observations, null))).toEqual(uncarried);

    // An UP carried in and a DOWN in the window is a failure.
    expect(calibrated(window(100, [obs(20, 'DOWN'), obs(25, 'UP')], 'UP'))).toMatchObject({ upHours: 95, downHours: 5, failures: 1, repairs: 1 });
    // Without a status before, a first observation DOWN is no failure either (nothing to fail from).
    expect(calibrated(window(100, [obs(10, 'DOWN'), obs(20, 'UP')]))).toMatchObject({ unobservedHours: 10, downHours: 10, failures: 0, repairs: 1 });
    expect(calibrated(window(100, [obs(10, 'DOWN'), obs(20, 'UP')], 'UNKNOWN'))).toMatchObject({ unknownHours: 10, failures: 0, repairs: 1 });
    // A MAINTENANCE carried in is excluded time.
    expect(calibrated(window(100, [obs(20, 'UP')], 'MAINTENANCE'))).toMatchObject({ upHours: 80, maintenanceHours: 20, failures: 0, repairs: 0 });
  });

  test('a status before the window and nothing in it holds for the whole window', () => {
    expect(calibrated(window(50, [], 'DEGRADED'))).toMatchObject({ observations: 0, upHours: 50, downHours: 0, availability: 1, failures: 0 });
    const down = calibrated(window(50, [], 'DOWN'));
    expect(down).toMatchObject({ upHours: 0, downHours: 50, availability: 0, failures: 0, repairs: 0, mtbfHours: null, mttrHours: null });
    // Nothing observed bounds either rate: the interval is all of [0, 1].
    expect(down).toMatchObject({ availabilityLow: 0, availabilityHigh: 1, intervalBasis: 'noRepairObserved' });
  });

  test('no failure: availability 1 and high 1; without a repair time the low end is 0, with an assumed one it is M/(M + MTTR)', () => {
    const input = window(1000, [obs(0, 'UP'), obs(500, 'DEGRADED')]);
    const result = calibrated(input);
    expect(result).toMatchObject({
      availability: 1,
      availabilityHigh: 1,
      availabilityLow: 0,
      intervalBasis: 'noRepairObserved',
      failures: 0,
      repairs: 0,
      mtbfHours: null,
      mtbfHoursHigh: null,
      mttrHours: null,
      mttrHoursLow: 0,
      mttrHoursHigh: null,
    });
    // Zero-failure lower bound of MTBF at 97.5%: 2U/χ²_0.975(2) = U / ln 40.
    const zeroFailureBound = 1000 / Math.log(40);
    expect(result.mtbfHoursLow).toBeCloseTo(zeroFailureBound, 9);

    const assumed = calibrated(input, { assumedMttrHours: 8 });
    expect(assumed).toMatchObject({ availability: 1, availabilityHigh: 1, intervalBasis: 'assumedMttr' });
    expect(assumed.availabilityLow).toBeCloseTo(zeroFailureBound / (zeroFailureBound + 8), 9);
    // Longer clean windows give a higher lower bound.
    const longer = calibrated(window(4000, [obs(0, 'UP')]), { assumedMttrHours: 8 });
    expect(longer.availabilityLow).toBeGreaterThan(assumed.availabilityLow);
  });

  test('no failure but a repair of a DOWN carried in: high 1, low from Beta(1, 1) (π_U = 0.975)', () => {
    const result = calibrated(window(100, [obs(2, 'UP')], 'DOWN'), { assumedMttrHours: 1 });
    expect(result).toMatchObject({ upHours: 98, downHours: 2, failures: 0, repairs: 1, availabilityHigh: 1, intervalBasis: 'observed' });
    // The assumed repair time is not used when a repair was observed.
    expect(result.availabilityLow).toBeCloseTo(availabilityAt(98, 2, 0.975), 9);
    expect(result.mttrHours).toBeCloseTo(2, 12);
  });

  test('down at the end of the window (no repair): low 0, high from Beta(1, 1) (π_L = 0.025), MTTR only bounded below', () => {
    const result = calibrated(window(100, [obs(0, 'UP'), obs(90, 'DOWN')]));
    expect(result).toMatchObject({ upHours: 90, downHours: 10, failures: 1, repairs: 0, availabilityLow: 0, intervalBasis: 'noRepairObserved', mttrHours: null, mttrHoursHigh: null });
    expect(result.availability).toBeCloseTo(0.9, 12);
    expect(result.availabilityHigh).toBeCloseTo(availabilityAt(90, 10, 0.025), 9);
    expect(result.mttrHoursLow).toBeCloseTo(10 / Math.log(40), 9);
    expect(result.mtbfHours).toBeCloseTo(90, 12);
  });

  test('the interval contains the point estimate and narrows as cycles accumulate', () => {
    // k cycles of 9 h up and 1 h down: availability 0.9 every time.
    let previousWidth = Infinity;
    for (const k of [1, 2, 5, 20, 100, 400]) {
      const observations: StatusObservation[] = [];
      for (let c = 0; c < k; c++) observations.push(obs(10 * c, 'UP'), obs(10 * c + 9, 'DOWN'));
      const result = calibrated(window(10 * k, observations));
      expect(result).toMatchObject({ failures: k, repairs: k - 1, upHours: 9 * k, downHours: k });
      expect(result.availability).toBeCloseTo(0.9, 12);
      expect(result.availabilityLow).toBeLessThan(result.availability);
      expect(result.availabilityHigh).toBeGreaterThan(result.availability);
      const width = result.availabilityHigh - result.availabilityLow;
      expect(width).toBeLessThan(previousWidth);
      previousWidth = width;
    }
    expect(previousWidth).toBeLessThan(0.03);
  });

  test('availabilityInterval holds the time-weighted estimate for every alternating count, and matches the Beta quantiles', () => {
    for (let r = 0; r <= 12; r++) {
      for (const r2 of [r - 1, r, r + 1]) {
        if (r2 < 0) continue;
        for (const [up, down] of [[1, 1], [999, 1], [1, 999], [37.5, 2.25]]) {
          const { low, high } = availabilityInterval(up, down, r, r2);
          const point = up / (up + down);
          expect(low).toBeLessThan(point);
          expect(high).toBeGreaterThan(point);
          if (r2 > 0) expect(low).toBeCloseTo(availabilityAt(up, down, betaQuantile(0.975, r + 1, r2)), 7);
          else expect(low).toBe(0);
          if (r > 0) expect(high).toBeCloseTo(availabilityAt(up, down, betaQuantile(0.025, r, r2 + 1)), 7);
          else expect(high).toBe(1);
        }
      }
    }
  });

  test('exponentialMeanInterval: the chi-square time-truncated interval', () => {
    const { low, high } = exponentialMeanInterval(500, 3);
    expect(low).toBeCloseTo(1000 / chiSquareQuantile(0.975, 8), 8);
    expect(high!).toBeCloseTo(1000 / chiSquareQuantile(0.025, 6), 8);
    expect(low).toBeLessThan(500 / 3);
    expect(high!).toBeGreaterThan(500 / 3);
    expect(exponentialMeanInterval(500, 0)).toEqual({ low: expect.closeTo(500 / Math.log(40), 9), high: null });
  });

  test('every hour of the window is up, down or excluded', () => {
    const result = calibrated(
      window(240, [obs(3, 'UP'), obs(17.5, 'MAINTENANCE'), obs(20, 'DOWN'), obs(21, 'UNKNOWN'), obs(33, 'DOWN'), obs(40.25, 'DEGRADED'), obs(200, 'UP')]),
    );
    expect(result.upHours + result.downHours + result.excludedHours).toBeCloseTo(240, 9);
    expect(result.maintenanceHours + result.unknownHours + result.unobservedHours).toBeCloseTo(result.excludedHours, 9);
    expect(result).toMatchObject({ unobservedHours: 3, maintenanceHours: 2.5, unknownHours: 12, downHours: 1 + 7.25, failures: 1, repairs: 1 });
  });

  test('not calibrated, with a reason, when nothing was observed or no time counts', () => {
    expect(notCalibrated(window(100, []))).toMatchObject({ calibrated: false, observations: 0, reason: expect.stringMatching(/no status observations in or before the window/) });
    expect(notCalibrated(window(100, [], null)).reason).toMatch(/no status observations/);
    const maintenance = notCalibrated(window(100, [obs(30, 'UP'), obs(30, 'MAINTENANCE')], 'MAINTENANCE'));
    expect(maintenance).toMatchObject({ observations: 2, maintenanceHours: 100, upHours: 0, downHours: 0, reason: expect.stringMatching(/no time counted as up or down/) });
    expect(notCalibrated(window(100, [obs(50, 'UNKNOWN')]))).toMatchObject({ unobservedHours: 50, unknownHours: 50 });
    expect(calibrate(window(100, [obs(50, 'UNKNOWN')]))).not.toHaveProperty('availability');
  });

  test('bad input is rejected with a message naming the field', () => {
    expect(() => calibrate({ from: at(10), to: at(10), observations: [] })).toThrow(/to must be after from/);
    expect(() => calibrate({ from: 'yesterday', to: at(10), observations: [] })).toThrow(/from must be an ISO-8601 date-time/);
    expect(() => calibrate(window(10, [obs(1, 'UP'), { observedAt: 'soon', value: 'DOWN' }]))).toThrow(/observations\[1\]\.observedAt must be/);
    expect(() => calibrate(window(10, [obs(10, 'UP')]))).toThrow(/observations\[0\]\.observedAt .* outside the window/);
    expect(() => calibrate(window(10, [obs(-1, 'UP')]))).toThrow(/outside the window/);
    expect(() => calibrate(window(10, [obs(5, 'UP'), obs(4, 'DOWN')]))).toThrow(/observations\[1\].*oldest first/);
    expect(() => calibrate(window(10, [obs(5, 'UP')]), { assumedMttrHours: 0 })).toThrow(/assumedMttrHours must be a positive number/);
  });
});
