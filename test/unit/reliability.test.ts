/** The RELIABILITY Monte Carlo engine (src/sim/reliability.ts) against closed forms, and its seeded PRNG. */
import type { AssetRecord, DependencyEdge, GraphSnapshot, Properties } from '../../src/graph/types';
import { computeImpact } from '../../src/sim/impact';
import { createRandom, Xoshiro128 } from '../../src/sim/random';
import {
  ownAvailability,
  RELIABILITY_ENGINE_VERSION,
  runReliability,
  runReliabilityAsync,
  wilsonInterval,
  type ReliabilityOptions,
  type ReliabilityResult,
} from '../../src/sim/reliability';

function asset(id: string, properties: Properties = {}, kind = 'Thing'): AssetRecord {
  const now = '2026-01-01T00:00:00.000Z';
  return { id, kind, name: null, properties, state: {}, stateObservedAt: {}, status: null, version: 1, createdAt: now, updatedAt: now };
}
/** `consumer` depends on `supplier`. */
function dep(supplier: string, consumer: string, properties: Properties = {}, type = 'FEEDS'): DependencyEdge {
  return { supplier, consumer, relationship: { from: supplier, to: consumer, type, properties } };
}
const group = (name: string, minLive = 1) => ({ redundancyGroup: name, minLive });
function snapshot(assets: AssetRecord[], edges: DependencyEdge[]): GraphSnapshot {
  return { assets: new Map(assets.map((a) => [a.id, a])), edges };
}
const avail = (a: number) => ({ availability: a });
function byId(result: ReliabilityResult) {
  return new Map(result.assets.map((a) => [a.id, a]));
}
/** Probability that at least k of independent components with availabilities `p` are up. */
function atLeast(k: number, p: number[]): number {
  let dist = [1]; // dist[j] = P(exactly j up)
  for (const a of p) {
    const next = new Array(dist.length + 1).fill(0);
    dist.forEach((q, j) => {
      next[j] += q * (1 - a);
      next[j + 1] += q * a;
    });
    dist = next;
  }
  return dist.slice(k).reduce((s, q) => s + q, 0);
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const SAMPLES = 20_000;

/**
 * Runs with 20 fixed seeds (so the test is deterministic). For each asset, the 95% interval must
 * hold the closed form in at least 15 of the 20 runs (a correct engine misses that about 3 times
 * in 10,000 sets of seeds; a wrong formula misses in nearly every run), and the mean of the 20
 * estimates (400,000 samples) must be within 4.5 standard errors of it.
 */
function expectClosedForms(snap: GraphSnapshot, expected: Record<string, number>, options: Partial<ReliabilityOptions> = {}) {
  const runs = SEEDS.map((seed) => byId(runReliability(snap, { samples: SAMPLES, seed, ...options })));
  for (const [id, exact] of Object.entries(expected)) {
    const inside = runs.filter((r) => r.get(id)!.availabilityLow <= exact && exact <= r.get(id)!.availabilityHigh).length;
    expect({ id, inside: inside >= 15 }).toEqual({ id, inside: true });
    const mean = runs.reduce((sum, r) => sum + r.get(id)!.availability, 0) / runs.length;
    const standardError = Math.sqrt((exact * (1 - exact)) / (SAMPLES * runs.length));
    expect({ id, error: Math.abs(mean - exact) <= 4.5 * standardError + 1e-12 }).toEqual({ id, error: true });
  }
}

describe('seeded PRNG', () => {
  test('xoshiro128** matches the reference implementation from a given state', () => {
    // Reference C code (Blackman & Vigna) from state {1, 2, 3, 4}.
    const rng = Xoshiro128.fromState(1, 2, 3, 4);
    expect([0, 1, 2, 3, 4].map(() => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
  });

  test('the same seed gives the same sequence (pinned, so every machine agrees); another seed another one', () => {
    const first = createRandom(1);
    expect([0, 1, 2, 3].map(() => first.nextUint32())).toEqual([3179625201, 3967794900, 2711539197, 2946581770]);
    const a = createRandom(2026);
    const b = createRandom(2026);
    const c = createRandom(2027);
    const seqA = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(seqA);
    // Seeds differing only above 32 bits differ too.
    expect(createRandom(2 ** 40 + 5).nextUint32()).not.toEqual(createRandom(5).nextUint32());
  });

  test('next() is in [0, 1) with mean 1/2', () => {
    const rng = createRandom(7);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
  });

  test('a seed must be a safe integer', () => {
    expect(() => createRandom(1.5)).toThrow(RangeError);
    expect(() => createRandom(Number.NaN)).toThrow(RangeError);
  });
});

describe('own availability and the Wilson interval', () => {
  test('availability wins, then mtbf/(mtbf+mttr), then 1', () => {
    expect(ownAvailability(asset('a', { availability: 0.97, mtbfHours: 1, mttrHours: 1 }))).toBe(0.97);
    expect(ownAvailability(asset('a', { mtbfHours: 900, mttrHours: 100 }))).toBe(0.9);
    expect(ownAvailability(asset('a', { loadKw: 3 }))).toBe(1);
    expect(ownAvailability(undefined)).toBe(1);
  });

  test('malformed reliability data is rejected with the asset named', () => {
    expect(() => ownAvailability(asset('x1', { availability: 1.5 }))).toThrow(/asset x1: availability/);
    expect(() => ownAvailability(asset('x2', { availability: '0.9' }))).toThrow(/asset x2: availability/);
    expect(() => ownAvailability(asset('x3', { mtbfHours: 900 }))).toThrow(/asset x3: mttrHours/);
    expect(() => ownAvailability(asset('x4', { mttrHours: 5 }))).toThrow(/asset x4: mtbfHours/);
    expect(() => ownAvailability(asset('x5', { mtbfHours: 0, mttrHours: 5 }))).toThrow(/mtbfHours/);
    const snap = snapshot([asset('bad', { availability: -0.1 })], []);
    expect(() => runReliability(snap, { samples: 10, seed: 1 })).toThrow(/asset bad/);
  });

  test('Wilson interval: textbook value, and sensible at p = 0 and p = 1', () => {
    const eight = wilsonInterval(8, 10);
    expect(eight.estimate).toBe(0.8);
    expect(eight.low).toBeCloseTo(0.4902, 4);
    expect(eight.high).toBeCloseTo(0.9433, 4);
    const all = wilsonInterval(1000, 1000);
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(1000 / (1000 + 1.959963984540054 ** 2), 12);
    const none = wilsonInterval(0, 1000);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(1.959963984540054 ** 2 / (1000 + 1.959963984540054 ** 2), 12);
    // Symmetric: the interval of n − k successes mirrors that of k.
    const two = wilsonInterval(2, 10);
    expect(two.low).toBeCloseTo(1 - eight.high, 12);
    expect(two.high).toBeCloseTo(1 - eight.low, 12);
  });

  test('options are validated', () => {
    const snap = snapshot([asset('a', avail(0.9))], []);
    expect(() => runReliability(snap, { samples: 0, seed: 1 })).toThrow(/samples/);
    expect(() => runReliability(snap, { samples: 2.5, seed: 1 })).toThrow(/samples/);
    expect(() => runReliability(snap, { samples: 10, seed: 0.5 })).toThrow(/seed/);
    expect(() => runReliability(snap, { samples: 10, seed: 1, progressEvery: 0 })).toThrow(/progressEvery/);
  });
});

describe('runReliability against closed forms', () => {
  test('two in series: a1·a2', () => {
    const snap = snapshot([asset('feed', avail(0.9)), asset('pdu', avail(0.8))], [dep('feed', 'pdu')]);
    expectClosedForms(snap, { feed: 0.9, pdu: 0.72 });
    // A longer chain, with a consumer that never fails on its own.
    const chain = snapshot(
      [asset('feed', avail(0.9)), asset('pdu', avail(0.8)), asset('rack'), asset('srv', avail(0.95))],
      [dep('feed', 'pdu'), dep('pdu', 'rack'), dep('rack', 'srv', {}, 'HOSTS')],
    );
    expectClosedForms(chain, { rack: 0.72, srv: 0.72 * 0.95 });
  });

  test('a redundant pair with minLive 1: 1 − (1 − a1)(1 − a2), clearly not the series value', () => {
    const snap = snapshot(
      [asset('pduA', avail(0.9)), asset('pduB', avail(0.8)), asset('rack')],
      [dep('pduA', 'rack', group('power')), dep('pduB', 'rack', group('power'))],
    );
    expectClosedForms(snap, { rack: 1 - 0.1 * 0.2 });
    const rack = byId(runReliability(snap, { samples: SAMPLES, seed: 1 })).get('rack')!;
    expect(rack.availabilityLow).toBeGreaterThan(0.9); // neither 0.72 (series) nor the better PDU alone
  });

  test('without a shared group, two suppliers are in series', () => {
    const snap = snapshot([asset('a', avail(0.9)), asset('b', avail(0.8)), asset('c')], [dep('a', 'c'), dep('b', 'c')]);
    expectClosedForms(snap, { c: 0.72 });
  });

  test('2 of 3: the k-of-n closed form', () => {
    const p = [0.9, 0.8, 0.7];
    const snap = snapshot(
      [asset('c1', avail(p[0])), asset('c2', avail(p[1])), asset('c3', avail(p[2])), asset('hall', avail(0.99))],
      ['c1', 'c2', 'c3'].map((c) => dep(c, 'hall', group('chillers', 2), 'COOLS')),
    );
    // By hand: a1a2 + a1a3 + a2a3 − 2·a1a2a3 = 0.72 + 0.63 + 0.56 − 1.008 = 0.902.
    expect(atLeast(2, p)).toBeCloseTo(0.902, 12);
    expectClosedForms(snap, { hall: 0.99 * 0.902 });
    // 3 of 4 identical units.
    const four = snapshot(
      [...['u1', 'u2', 'u3', 'u4'].map((u) => asset(u, avail(0.85))), asset('load')],
      ['u1', 'u2', 'u3', 'u4'].map((u) => dep(u, 'load', group('n+1', 3))),
    );
    expectClosedForms(four, { load: 4 * 0.85 ** 3 * 0.15 + 0.85 ** 4 });
  });

  test('two groups must both hold: power pair times cooling pair', () => {
    const snap = snapshot(
      [asset('pA', avail(0.9)), asset('pB', avail(0.9)), asset('cA', avail(0.7)), asset('cB', avail(0.6)), asset('rack')],
      [
        dep('pA', 'rack', group('power')),
        dep('pB', 'rack', group('power')),
        dep('cA', 'rack', group('cooling'), 'COOLS'),
        dep('cB', 'rack', group('cooling'), 'COOLS'),
      ],
    );
    expectClosedForms(snap, { rack: (1 - 0.1 * 0.1) * (1 - 0.3 * 0.4) });
  });

  test('availability from mtbfHours and mttrHours', () => {
    const snap = snapshot(
      [asset('gen', { mtbfHours: 900, mttrHours: 100 }), asset('ups', avail(0.8))],
      [dep('gen', 'ups')],
    );
    expectClosedForms(snap, { gen: 0.9, ups: 0.72 });
  });

  test('failed assets are down in every sample; what they feed follows exactly', () => {
    const snap = snapshot(
      [asset('pduA', avail(0.9)), asset('pduB', avail(0.8)), asset('rack'), asset('feed', avail(0.9)), asset('ups')],
      [dep('pduA', 'rack', group('power')), dep('pduB', 'rack', group('power')), dep('feed', 'ups')],
    );
    expectClosedForms(snap, { rack: 0.8 }, { failed: ['pduA'] });
    const result = byId(runReliability(snap, { samples: 1000, seed: 1, failed: ['pduA', 'feed'] }));
    // Down for certain: an exact 0, not an interval.
    expect(result.get('pduA')).toEqual({ id: 'pduA', availability: 0, availabilityLow: 0, availabilityHigh: 0 });
    expect(result.get('ups')).toEqual({ id: 'ups', availability: 0, availabilityLow: 0, availabilityHigh: 0 });
    // Both sides failed: the rack is down for certain.
    const both = byId(runReliability(snap, { samples: 1000, seed: 1, failed: ['pduA', 'pduB'] }));
    expect(both.get('rack')!.availabilityHigh).toBe(0);
  });

  test('assets exposed to no failure are up for certain; every asset is reported, sorted', () => {
    const snap = snapshot(
      [asset('sensor'), asset('rack'), asset('srv'), asset('pdu', avail(0.9))],
      [dep('rack', 'srv', {}, 'HOSTS'), dep('pdu', 'other')],
    );
    const result = runReliability(snap, { samples: 500, seed: 4 });
    expect(result.assets.map((a) => a.id)).toEqual(['other', 'pdu', 'rack', 'sensor', 'srv']);
    const ids = byId(result);
    for (const id of ['sensor', 'rack', 'srv']) {
      expect(ids.get(id)).toEqual({ id, availability: 1, availabilityLow: 1, availabilityHigh: 1 });
    }
    expect(ids.get('other')!.availabilityHigh).toBeLessThan(1);
  });

  test('a dependency cycle terminates: two assets needing each other are both up only when both are', () => {
    const snap = snapshot(
      [asset('x', avail(0.9)), asset('y', avail(0.8)), asset('z')],
      [dep('x', 'y', {}, 'DEPENDS_ON'), dep('y', 'x', {}, 'DEPENDS_ON'), dep('y', 'z'), dep('z', 'z')],
    );
    expectClosedForms(snap, { x: 0.72, y: 0.72, z: 0.72 });
  });

  test('a group needing more suppliers than it has: the consumer is down in every sample, and reported', () => {
    const snap = snapshot([asset('a', avail(0.9)), asset('b'), asset('c')], [dep('a', 'b', group('g', 2)), dep('b', 'c')]);
    const result = runReliability(snap, { samples: 100, seed: 1 });
    expect(result.summary.unsatisfiable).toEqual(['b']);
    expect(byId(result).get('c')!.availabilityHigh).toBe(0);
  });

  test('the sampled cascade is the IMPACT cascade: with certain failures, down is exactly what computeImpact says', () => {
    const rng = createRandom(99);
    const pick = <T>(list: T[]) => list[Math.floor(rng.next() * list.length)];
    for (let round = 0; round < 30; round++) {
      const ids = Array.from({ length: 25 }, (_, i) => `n${i}`);
      const edges: DependencyEdge[] = [];
      for (let e = 0; e < 45; e++) {
        const props: Properties = rng.next() < 0.6 ? { redundancyGroup: pick(['p', 'q']), minLive: 1 } : {};
        edges.push(dep(pick(ids), pick(ids), props)); // cycles and self-loops included
      }
      // Some assets always fail (availability 0), the rest never fail on their own.
      const failing = ids.filter(() => rng.next() < 0.15);
      const snap = snapshot(ids.map((id) => asset(id, failing.includes(id) ? avail(0) : {})), edges);
      const down = new Set([...failing, ...computeImpact(edges, failing).down.map((e) => e.id)]);
      const result = runReliability(snap, { samples: 20, seed: round });
      for (const a of result.assets) expect({ id: a.id, availability: a.availability }).toEqual({ id: a.id, availability: down.has(a.id) ? 0 : 1 });
    }
  });
});

describe('runReliability: determinism, progress, stopping, summary', () => {
  const twin = () => {
    const assets = [
      asset('feedA', avail(0.999)), asset('feedB', avail(0.998)), asset('gen', { mtbfHours: 1500, mttrHours: 24 }),
      asset('upsA', { mtbfHours: 25000, mttrHours: 8 }), asset('upsB', { mtbfHours: 25000, mttrHours: 8 }),
      asset('pduA', avail(0.9995)), asset('pduB', avail(0.9995)), asset('rack1'), asset('rack2'),
      asset('srv1', avail(0.99)), asset('srv2', avail(0.99)),
      asset('svc', {}, 'Service'), asset('api', avail(0.999), 'Service'),
    ];
    const edges = [
      dep('feedA', 'upsA', group('source')), dep('gen', 'upsA', group('source')),
      dep('feedB', 'upsB', group('source')), dep('gen', 'upsB', group('source')),
      dep('upsA', 'pduA'), dep('upsB', 'pduB'),
      dep('pduA', 'rack1', group('power')), dep('pduB', 'rack1', group('power')), dep('pduB', 'rack2'),
      dep('rack1', 'srv1', {}, 'HOSTS'), dep('rack2', 'srv2', {}, 'HOSTS'),
      dep('srv1', 'svc', group('replicas'), 'RUNS_ON'), dep('srv2', 'svc', group('replicas'), 'RUNS_ON'),
      dep('svc', 'api', {}, 'DEPENDS_ON'),
    ];
    return { assets, edges };
  };

  test('same seed, same results, whatever the order of edges and assets', () => {
    const { assets, edges } = twin();
    const base = runReliability(snapshot(assets, edges), { samples: 5000, seed: 42 });
    const shuffled = runReliability(snapshot([...assets].reverse(), [...edges].reverse()), { samples: 5000, seed: 42 });
    expect(shuffled).toEqual(base);
    const rotated = runReliability(snapshot([...assets.slice(5), ...assets.slice(0, 5)], [...edges.slice(7), ...edges.slice(0, 7)]), { samples: 5000, seed: 42 });
    expect(rotated).toEqual(base);
  });

  test('a different seed gives different estimates', () => {
    const { assets, edges } = twin();
    const a = runReliability(snapshot(assets, edges), { samples: 5000, seed: 1 });
    const b = runReliability(snapshot(assets, edges), { samples: 5000, seed: 2 });
    expect(b.summary.seed).toBe(2);
    expect(b.assets.map((x) => x.availability)).not.toEqual(a.assets.map((x) => x.availability));
  });

  test('summary: engine version, samples, convergence checkpoints at every 10%, mean Service availability', () => {
    const { assets, edges } = twin();
    const result = runReliability(snapshot(assets, edges), { samples: 10_000, seed: 3 });
    const { summary } = result;
    expect(summary.engineVersion).toBe(RELIABILITY_ENGINE_VERSION);
    expect(summary).toMatchObject({ samples: 10_000, requestedSamples: 10_000, seed: 3, stoppedEarly: false, serviceCount: 2, failed: [] });
    expect(summary.convergence.map((c) => c.samples)).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
    const halfWidths = result.assets.map((a) => (a.availabilityHigh - a.availabilityLow) / 2);
    expect(summary.convergence.at(-1)!.maxHalfWidth).toBeCloseTo(Math.max(...halfWidths), 12);
    expect(summary.convergence.at(-1)!.maxHalfWidth).toBeLessThan(summary.convergence[0].maxHalfWidth);
    const ids = byId(result);
    expect(summary.expectedServiceAvailability).toBeCloseTo((ids.get('svc')!.availability + ids.get('api')!.availability) / 2, 12);
    expect(runReliability(snapshot([asset('a', avail(0.5))], []), { samples: 10, seed: 1 }).summary.expectedServiceAvailability).toBeNull();
  });

  test('progress: at most once per progressEvery samples, increasing, ending at 1', () => {
    const { assets, edges } = twin();
    const snap = snapshot(assets, edges);
    const calls: number[] = [];
    runReliability(snap, { samples: 1000, seed: 1, progressEvery: 250, onProgress: (f) => calls.push(f) });
    expect(calls).toEqual([0.25, 0.5, 0.75, 1]);

    const byDefault: number[] = [];
    runReliability(snap, { samples: 20_050, seed: 1, onProgress: (f) => byDefault.push(f) });
    expect(byDefault.length).toBeGreaterThanOrEqual(100);
    expect(byDefault.length).toBeLessThanOrEqual(101);
    expect(byDefault.at(-1)).toBe(1);
    for (let i = 1; i < byDefault.length; i++) expect(byDefault[i]).toBeGreaterThan(byDefault[i - 1]);
  });

  test('shouldStop stops early; the result covers exactly the samples run', () => {
    const { assets, edges } = twin();
    const snap = snapshot(assets, edges);
    let checks = 0;
    const stopped = runReliability(snap, { samples: 10_000, seed: 9, shouldStop: () => ++checks > 1234 });
    expect(stopped.summary).toMatchObject({ samples: 1234, requestedSamples: 10_000, stoppedEarly: true });
    expect(stopped.summary.convergence.map((c) => c.samples)).toEqual([1000, 1234]);
    // The same stream of samples: identical to a run of 1234 samples with the same seed.
    expect(stopped.assets).toEqual(runReliability(snap, { samples: 1234, seed: 9 }).assets);

    const never = runReliability(snap, { samples: 100, seed: 9, shouldStop: () => true });
    expect(never.summary).toMatchObject({ samples: 0, stoppedEarly: true, convergence: [], expectedServiceAvailability: null });
    expect(never.assets).toEqual([]);
  });

  test('the async variant gives the same result and lets a cancellation event stop it', async () => {
    const { assets, edges } = twin();
    const snap = snapshot(assets, edges);
    expect(await runReliabilityAsync(snap, { samples: 3000, seed: 5 })).toEqual(runReliability(snap, { samples: 3000, seed: 5 }));

    let cancelled = false;
    const running = runReliabilityAsync(snap, { samples: 1_000_000, seed: 5, progressEvery: 100, shouldStop: () => cancelled });
    setImmediate(() => (cancelled = true));
    const result = await running;
    expect(result.summary.stoppedEarly).toBe(true);
    expect(result.summary.samples).toBeLessThan(1_000_000);
  });
});
