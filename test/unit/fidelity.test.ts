/** FIDELITY (src/sim/fidelity.ts): LOAD predictions against observed load, hand-computed. */
import { fidelity as fromEngines } from '../../src/sim/engines';
import { fidelity, type FidelityPair } from '../../src/sim/fidelity';

const pair = (assetId: string, predictedKw: number, observedKw: number): FidelityPair => ({ assetId, predictedKw, observedKw });

/**
 * a: 11 vs 10 (error +1, 10%); b: 18 vs 20 (−2, 10%); c: 3 vs 0 (+3, observed 0); d: 5 vs 5 (0, 0%);
 * e: 4.5 vs 6 (−1.5, 25%).
 */
const pairs = [pair('d', 5, 5), pair('b', 18, 20), pair('e', 4.5, 6), pair('c', 3, 0), pair('a', 11, 10)];

describe('fidelity', () => {
  test('MAPE over non-zero observations, RMSE over all, with a zero observation', () => {
    const result = fidelity(pairs);
    expect(result.compared).toBe(5);
    expect(result.zeroObserved).toBe(1);
    expect(result.mape).toBeCloseTo((0.1 + 0.1 + 0 + 0.25) / 4, 12);
    expect(result.rmse).toBeCloseTo(Math.sqrt((1 + 4 + 9 + 0 + 2.25) / 5), 12);
    expect(result.meanErrorKw).toBeCloseTo((1 - 2 + 3 + 0 - 1.5) / 5, 12);
    expect(result.maxAbsErrorKw).toBe(3);
  });

  test('per asset: errorKw = predicted − observed, sorted by asset id', () => {
    const { assets } = fidelity(pairs);
    expect(assets.map((a) => a.assetId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(assets.map((a) => a.errorKw)).toEqual([1, -2, 3, 0, -1.5]);
    expect(assets.map((a) => a.absErrorKw)).toEqual([1, 2, 3, 0, 1.5]);
    expect(assets[1]).toMatchObject({ predictedKw: 18, observedKw: 20 });
    expect(assets[1].relativeError).toBeCloseTo(0.1, 12);
    expect(assets[2].relativeError).toBeNull();
  });

  test('worst: largest |error| first, ties by id, at most worstCount, exact predictions never listed', () => {
    expect(fidelity(pairs).worst).toEqual(['c', 'b', 'e', 'a']);
    expect(fidelity(pairs, 2).worst).toEqual(['c', 'b']);
    expect(fidelity(pairs, 0).worst).toEqual([]);
    const tied = [...pairs, pair('bb', 0, 3), pair('aa', 6, 3)];
    expect(fidelity(tied, 3).worst).toEqual(['aa', 'bb', 'c']);
  });

  test('negative observed loads use |observed| in the relative error', () => {
    const result = fidelity([pair('x', -1, -2)]);
    expect(result.mape).toBeCloseTo(0.5, 12);
    expect(result.assets[0].errorKw).toBe(1);
  });

  test('only zero observations: no MAPE, but RMSE and the maximum error', () => {
    const result = fidelity([pair('x', 2, 0), pair('y', 0, 0)]);
    expect(result).toMatchObject({ compared: 2, zeroObserved: 2, mape: null, maxAbsErrorKw: 2, worst: ['x'] });
    expect(result.rmse).toBeCloseTo(Math.sqrt(2), 12);
  });

  test('no pairs: everything null or empty', () => {
    expect(fidelity([])).toEqual({ compared: 0, mape: null, rmse: null, meanErrorKw: null, maxAbsErrorKw: null, worst: [], zeroObserved: 0, assets: [] });
  });

  test('the order of the pairs does not matter; engines.ts exports the same function', () => {
    expect(fidelity([...pairs].reverse())).toEqual(fidelity(pairs));
    expect(fromEngines).toBe(fidelity);
  });

  test('bad input is rejected, naming the pair', () => {
    expect(() => fidelity([pair('a', 1, 1), pair('a', 2, 2)])).toThrow(/pairs\[1\]: a second pair for asset a/);
    expect(() => fidelity([pair('a', NaN, 1)])).toThrow(/pairs\[0\] \(asset a\): predictedKw must be a finite number/);
    expect(() => fidelity([pair('a', 1, Infinity)])).toThrow(/observedKw must be a finite number/);
    expect(() => fidelity([pair('', 1, 1)])).toThrow(/pairs\[0\]: assetId/);
    expect(() => fidelity(pairs, -1)).toThrow(/worstCount must be a whole number/);
    expect(() => fidelity(pairs, 1.5)).toThrow(/worstCount/);
  });
});
