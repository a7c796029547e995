/** The LOAD engine (src/sim/load.ts) against hand-computed load flows. */
import type { AssetRecord, DependencyEdge, GraphSnapshot, Properties } from '../../src/graph/types';
import { LOAD_ENGINE_VERSION, runLoad, type AssetLoad, type LoadResult } from '../../src/sim/load';

function asset(id: string, kind: string, properties: Properties = {}): AssetRecord {
  const now = '2026-01-01T00:00:00.000Z';
  return { id, kind, name: null, properties, state: {}, stateObservedAt: {}, status: null, version: 1, createdAt: now, updatedAt: now };
}
/** `consumer` depends on `supplier`. */
function dep(supplier: string, consumer: string, properties: Properties = {}, type = 'FEEDS'): DependencyEdge {
  const reverse = type === 'DEPENDS_ON' || type === 'RUNS_ON';
  return {
    supplier,
    consumer,
    relationship: reverse ? { from: consumer, to: supplier, type, properties } : { from: supplier, to: consumer, type, properties },
  };
}
const group = (name: string, minLive = 1) => ({ redundancyGroup: name, minLive });
function snapshot(assets: AssetRecord[], edges: DependencyEdge[]): GraphSnapshot {
  return { assets: new Map(assets.map((a) => [a.id, a])), edges };
}
const entry = (result: LoadResult, id: string): AssetLoad | undefined => result.assets.find((a) => a.id === id);
const loadOf = (result: LoadResult, id: string) => entry(result, id)!.loadKw;

/**
 * ups (10 kW) feeds pduA and pduB (2 kW each), an A/B pair feeding the rack (3 kW, own 0.2 kW);
 * crahA/crahB cool the rack as a pair; the rack hosts three servers (0.5, 0.7, 1.0 kW);
 * a service runs on srv1. Rack total = 0.2 + 0.5 + 0.7 + 1.0 = 2.4 kW.
 */
function rackTwin() {
  const assets = [
    asset('ups', 'UPS', { capacityKw: 10 }),
    asset('pduA', 'PDU', { capacityKw: 2 }),
    asset('pduB', 'PDU', { capacityKw: 2 }),
    asset('crahA', 'CRAH', { capacityKw: 5 }),
    asset('crahB', 'CRAH', { capacityKw: 5 }),
    asset('rack', 'Rack', { capacityKw: 3, loadKw: 0.2 }),
    asset('srv1', 'Server', { loadKw: 0.5 }),
    asset('srv2', 'Server', { loadKw: 0.7 }),
    asset('srv3', 'Server', { loadKw: 1.0 }),
    asset('svc', 'Service'),
    asset('sensor', 'Sensor', { metric: 'inletTemperature' }),
  ];
  const edges = [
    dep('ups', 'pduA'),
    dep('ups', 'pduB'),
    dep('pduA', 'rack', group('power')),
    dep('pduB', 'rack', group('power')),
    dep('crahA', 'rack', group('cooling'), 'COOLS'),
    dep('crahB', 'rack', group('cooling'), 'COOLS'),
    dep('rack', 'srv1', {}, 'HOSTS'),
    dep('rack', 'srv2', {}, 'HOSTS'),
    dep('rack', 'srv3', {}, 'HOSTS'),
    dep('srv1', 'svc', {}, 'RUNS_ON'),
  ];
  return { assets, edges, snap: snapshot(assets, edges) };
}

describe('runLoad', () => {
  test('demand sums up the chain and splits evenly over a pair; power and cooling each carry the full load', () => {
    const result = runLoad(rackTwin().snap);
    expect(loadOf(result, 'srv1')).toBeCloseTo(0.5, 12);
    expect(loadOf(result, 'rack')).toBeCloseTo(2.4, 12);
    for (const id of ['pduA', 'pduB', 'crahA', 'crahB']) expect(loadOf(result, id)).toBeCloseTo(1.2, 12);
    expect(loadOf(result, 'ups')).toBeCloseTo(2.4, 12);
    expect(entry(result, 'pduA')).toMatchObject({ capacityKw: 2, overloaded: false, state: null, unservedKw: 0, demandKw: 0, kind: 'PDU' });
    expect(entry(result, 'pduA')!.utilization).toBeCloseTo(0.6, 12);
    expect(entry(result, 'rack')!.utilization).toBeCloseTo(0.8, 12);
    expect(result.summary).toMatchObject({ engineVersion: LOAD_ENGINE_VERSION, overloaded: [], unservedKw: 0, cycles: [], down: [], failed: [] });
    expect(result.summary.totalDemandKw).toBeCloseTo(2.4, 12);
    expect(result.summary.worstUtilization!.id).toBe('rack');
    expect(result.summary.worstUtilization!.utilization).toBeCloseTo(0.8, 12);
  });

  test('utilization is null without a capacity; assets with neither load nor capacity are left out', () => {
    const result = runLoad(rackTwin().snap);
    expect(entry(result, 'srv2')).toMatchObject({ loadKw: 0.7, demandKw: 0.7, capacityKw: null, utilization: null, overloaded: false });
    expect(entry(result, 'svc')).toBeUndefined();
    expect(entry(result, 'sensor')).toBeUndefined();
    expect(result.assets.map((a) => a.id)).toEqual(['crahA', 'crahB', 'pduA', 'pduB', 'rack', 'srv1', 'srv2', 'srv3', 'ups']);
  });

  test('load factors: per kind, and per asset (which wins over its kind)', () => {
    const result = runLoad(rackTwin().snap, {
      loadFactors: [
        { kind: 'Server', factor: 2 },
        { assetId: 'srv3', factor: 0.5 },
        { kind: 'Chiller', factor: 7 }, // no such asset here: no effect
      ],
    });
    // srv1 1.0, srv2 1.4, srv3 0.5, rack 0.2 (not a Server) -> 3.1 kW on a 3 kW rack.
    expect(entry(result, 'srv1')!.demandKw).toBeCloseTo(1.0, 12);
    expect(entry(result, 'srv2')!.demandKw).toBeCloseTo(1.4, 12);
    expect(entry(result, 'srv3')!.demandKw).toBeCloseTo(0.5, 12);
    expect(loadOf(result, 'rack')).toBeCloseTo(3.1, 12);
    expect(loadOf(result, 'pduA')).toBeCloseTo(1.55, 12);
    expect(loadOf(result, 'ups')).toBeCloseTo(3.1, 12);
    expect(result.summary.totalDemandKw).toBeCloseTo(3.1, 12);
    expect(result.summary.overloaded).toEqual(['rack']);
    expect(entry(result, 'rack')!.overloaded).toBe(true);
    expect(result.summary.worstUtilization!.id).toBe('rack');
    expect(result.summary.worstUtilization!.utilization).toBeCloseTo(3.1 / 3, 12);
  });

  test('A/B failover: with PDU A failed, PDU B carries the whole rack, doubles and overloads', () => {
    const result = runLoad(rackTwin().snap, { failed: ['pduA'] });
    expect(entry(result, 'pduA')).toMatchObject({ state: 'DOWN', loadKw: 0, utilization: 0, overloaded: false });
    expect(loadOf(result, 'pduB')).toBeCloseTo(2.4, 12); // 2 × 1.2
    expect(entry(result, 'pduB')!.utilization).toBeCloseTo(1.2, 12);
    expect(entry(result, 'pduB')!.overloaded).toBe(true);
    expect(entry(result, 'rack')).toMatchObject({ state: null, overloaded: false });
    expect(loadOf(result, 'ups')).toBeCloseTo(2.4, 12);
    expect(loadOf(result, 'crahA')).toBeCloseTo(1.2, 12); // cooling is untouched
    expect(result.summary.overloaded).toEqual(['pduB']);
    expect(result.summary.worstUtilization!.id).toBe('pduB');
    expect(result.summary.unservedKw).toBe(0);
    expect(result.summary.down).toEqual(['pduA']);
  });

  test('failover through the cascade: losing the upstream of one side shifts the load the same way', () => {
    const { assets, edges } = rackTwin();
    const snap = snapshot([...assets, asset('feedA', 'UtilityFeed')], [...edges.filter((e) => e.supplier !== 'ups' || e.consumer !== 'pduA'), dep('feedA', 'pduA')]);
    const result = runLoad(snap, { failed: ['feedA'] });
    expect(entry(result, 'pduA')).toMatchObject({ state: 'DOWN', loadKw: 0 });
    expect(loadOf(result, 'pduB')).toBeCloseTo(2.4, 12);
    expect(result.summary.down).toEqual(['feedA', 'pduA']);
  });

  test('both sides failed: the rack and everything on it are DOWN, their demand is unserved, nothing flows up', () => {
    const result = runLoad(rackTwin().snap, { failed: ['pduA', 'pduB'] });
    for (const id of ['rack', 'srv1', 'srv2', 'srv3']) expect(entry(result, id)).toMatchObject({ state: 'DOWN', loadKw: 0 });
    expect(entry(result, 'rack')!.unservedKw).toBeCloseTo(0.2, 12);
    expect(entry(result, 'srv3')!.unservedKw).toBeCloseTo(1.0, 12);
    expect(entry(result, 'svc')).toMatchObject({ state: 'DOWN', loadKw: 0, unservedKw: 0 });
    expect(result.summary.unservedKw).toBeCloseTo(2.4, 12);
    expect(result.summary.totalDemandKw).toBeCloseTo(2.4, 12);
    expect(loadOf(result, 'ups')).toBe(0);
    expect(loadOf(result, 'crahA')).toBe(0);
    expect(result.summary.overloaded).toEqual([]);
    expect(result.summary.down).toEqual(['pduA', 'pduB', 'rack', 'srv1', 'srv2', 'srv3', 'svc']);
  });

  test('2 of 3: thirds with all live, halves after one fails', () => {
    const snap = snapshot(
      [asset('c1', 'Chiller', { capacityKw: 4 }), asset('c2', 'Chiller', { capacityKw: 4 }), asset('c3', 'Chiller', { capacityKw: 4 }), asset('hall', 'Room', { loadKw: 9 })],
      ['c1', 'c2', 'c3'].map((c) => dep(c, 'hall', group('chillers', 2), 'COOLS')),
    );
    const all = runLoad(snap);
    for (const c of ['c1', 'c2', 'c3']) expect(loadOf(all, c)).toBeCloseTo(3, 12);
    const one = runLoad(snap, { failed: ['c2'] });
    expect(loadOf(one, 'c1')).toBeCloseTo(4.5, 12);
    expect(loadOf(one, 'c3')).toBeCloseTo(4.5, 12);
    expect(one.summary.overloaded).toEqual(['c1', 'c3']);
    const two = runLoad(snap, { failed: ['c2', 'c3'] });
    expect(entry(two, 'hall')).toMatchObject({ state: 'DOWN', loadKw: 0, unservedKw: 9 });
    expect(loadOf(two, 'c1')).toBe(0);
  });

  test('a group with minLive 0 and no live supplier: the consumer stays up and that share is unserved', () => {
    const snap = snapshot([asset('aux', 'PDU'), asset('r', 'Rack', { loadKw: 3 }), asset('main', 'PDU')], [dep('aux', 'r', group('optional', 0)), dep('main', 'r')]);
    const result = runLoad(snap, { failed: ['aux'] });
    expect(entry(result, 'r')).toMatchObject({ state: null, loadKw: 3, unservedKw: 3 });
    expect(loadOf(result, 'main')).toBe(3);
  });

  test('exactly at capacity is not an overload, despite floating-point sums', () => {
    const snap = snapshot(
      [asset('p', 'PDU', { capacityKw: 0.3 }), asset('a', 'Server', { loadKw: 0.1 }), asset('b', 'Server', { loadKw: 0.2 })],
      [dep('p', 'a'), dep('p', 'b')],
    );
    const result = runLoad(snap);
    expect(entry(result, 'p')).toMatchObject({ overloaded: false });
    expect(result.summary.overloaded).toEqual([]);
  });

  test('cycles do not hang: reported, and what is outside them is still computed', () => {
    // x (4 kW) needs a; a (1 kW) and b (2 kW) need each other; b needs s; z needs itself.
    const snap = snapshot(
      [
        asset('x', 'Service', { loadKw: 4 }),
        asset('a', 'Server', { loadKw: 1 }),
        asset('b', 'Server', { loadKw: 2 }),
        asset('s', 'PDU', { capacityKw: 10 }),
        asset('z', 'Server', { loadKw: 5 }),
      ],
      [dep('a', 'x', {}, 'RUNS_ON'), dep('b', 'a', {}, 'DEPENDS_ON'), dep('a', 'b', {}, 'DEPENDS_ON'), dep('s', 'b'), dep('z', 'z')],
    );
    const result = runLoad(snap);
    expect(result.summary.cycles).toEqual([['a', 'b'], ['z']]);
    // x passes 4 to a; a passes its 5 only to b, inside the cycle: dropped. b passes its own 2 to a
    // (inside the cycle: dropped) and to s. z's 5 to itself is dropped too.
    expect(loadOf(result, 'x')).toBe(4);
    expect(loadOf(result, 'a')).toBe(5);
    expect(loadOf(result, 'b')).toBe(2);
    expect(loadOf(result, 's')).toBe(2);
    expect(loadOf(result, 'z')).toBe(5);
    expect(result.summary.cycleLoadDroppedKw).toBe(5 + 2 + 5);
  });

  test('a group needing more suppliers than it has: consumer down from the start, reported', () => {
    const snap = snapshot([asset('p', 'PDU'), asset('r', 'Rack', { loadKw: 2 }), asset('s', 'Server', { loadKw: 1 })], [dep('p', 'r', group('g', 2)), dep('r', 's')]);
    const result = runLoad(snap);
    expect(result.summary.unsatisfiable).toEqual(['r']);
    expect(result.summary.down).toEqual(['r', 's']);
    expect(result.summary.unservedKw).toBe(3);
    expect(entry(result, 'p')).toBeUndefined(); // carries nothing, has no capacity
  });

  test('the result does not depend on the order of assets or edges', () => {
    const { assets, edges } = rackTwin();
    const options = { failed: ['crahB'], loadFactors: [{ kind: 'Server', factor: 1.3 }] };
    const base = runLoad(snapshot(assets, edges), options);
    expect(runLoad(snapshot([...assets].reverse(), [...edges].reverse()), options)).toEqual(base);
    expect(runLoad(snapshot([...assets.slice(4), ...assets.slice(0, 4)], [...edges.slice(3), ...edges.slice(0, 3)]), options)).toEqual(base);
    expect(loadOf(base, 'crahA')).toBeCloseTo(0.2 + 2.2 * 1.3, 12);
  });

  test('bad input is rejected with a clear message', () => {
    const { assets, edges } = rackTwin();
    const withBad = (props: Properties) => snapshot([...assets, asset('bad', 'Server', props)], edges);
    expect(() => runLoad(withBad({ loadKw: -1 }))).toThrow(/asset bad: loadKw/);
    expect(() => runLoad(withBad({ loadKw: '3' }))).toThrow(/asset bad: loadKw/);
    expect(() => runLoad(withBad({ capacityKw: 0 }))).toThrow(/asset bad: capacityKw/);
    const snap = rackTwin().snap;
    expect(() => runLoad(snap, { loadFactors: [{ kind: 'Server', factor: -1 }] })).toThrow(/loadFactors\[0\]: factor/);
    expect(() => runLoad(snap, { loadFactors: [{ factor: 2 }] })).toThrow(/exactly one of assetId or kind/);
    expect(() => runLoad(snap, { loadFactors: [{ assetId: 'srv1', kind: 'Server', factor: 2 }] })).toThrow(/exactly one/);
    expect(() => runLoad(snap, { loadFactors: [{ assetId: 'srv1', factor: 2 }, { assetId: 'srv1', factor: 3 }] })).toThrow(/loadFactors\[1\]: a second factor/);
  });
});

describe('runLoad with observed demand (demandKw)', () => {
  /** pduA and pduB, one redundancy group, feed a rack whose loadKw property says 2 kW. */
  const pairTwin = () =>
    snapshot(
      [asset('pduA', 'PDU', { capacityKw: 8 }), asset('pduB', 'PDU', { capacityKw: 8 }), asset('rack', 'Rack', { loadKw: 2 })],
      [dep('pduA', 'rack', group('power')), dep('pduB', 'rack', group('power'))],
    );

  test('a rack observed at 10 kW fed by a redundant pair: each PDU carries 5 kW', () => {
    const result = runLoad(pairTwin(), { demandKw: new Map([['rack', 10]]) });
    expect(entry(result, 'rack')).toMatchObject({ demandKw: 10, loadKw: 10 });
    expect(loadOf(result, 'pduA')).toBe(5);
    expect(loadOf(result, 'pduB')).toBe(5);
    expect(entry(result, 'pduA')!.utilization).toBeCloseTo(5 / 8, 12);
    expect(result.summary.totalDemandKw).toBe(10);
    expect(result.summary.demandSource).toEqual({ observed: 1, fallback: 0, unmatched: 0 });
    // The property alone would give 1 kW each.
    expect(loadOf(runLoad(pairTwin()), 'pduA')).toBe(1);
  });

  test('failover moves the observed demand: with PDU A failed, PDU B carries all 10 kW and overloads', () => {
    const result = runLoad(pairTwin(), { demandKw: new Map([['rack', 10]]), failed: ['pduA'] });
    expect(loadOf(result, 'pduB')).toBe(10);
    expect(result.summary.overloaded).toEqual(['pduB']);
  });

  test('observed where given, loadKw elsewhere; an observed 0 counts as observed; unknown ids are ignored and counted', () => {
    const demandKw = new Map([
      ['srv1', 2],
      ['rack', 0],
      ['ghost', 50],
    ]);
    const result = runLoad(rackTwin().snap, { demandKw });
    expect(entry(result, 'srv1')!.demandKw).toBe(2);
    expect(entry(result, 'srv2')!.demandKw).toBe(0.7);
    expect(entry(result, 'rack')!.demandKw).toBe(0);
    // rack: 0 + 2 + 0.7 + 1.0 = 3.7, split over each pair.
    expect(loadOf(result, 'rack')).toBeCloseTo(3.7, 12);
    expect(loadOf(result, 'pduA')).toBeCloseTo(1.85, 12);
    expect(loadOf(result, 'crahB')).toBeCloseTo(1.85, 12);
    expect(result.summary.totalDemandKw).toBeCloseTo(3.7, 12);
    expect(entry(result, 'ghost')).toBeUndefined();
    // Observed: srv1, rack. Fallback: srv2, srv3 (the only others with a loadKw above 0).
    expect(result.summary.demandSource).toEqual({ observed: 2, fallback: 2, unmatched: 1 });
  });

  test('load factors apply on top of the observed demand', () => {
    const result = runLoad(rackTwin().snap, { demandKw: new Map([['srv1', 2]]), loadFactors: [{ kind: 'Server', factor: 1.5 }] });
    expect(entry(result, 'srv1')!.demandKw).toBeCloseTo(3, 12);
    expect(entry(result, 'srv2')!.demandKw).toBeCloseTo(1.05, 12);
    expect(loadOf(result, 'rack')).toBeCloseTo(0.2 + 3 + 1.05 + 1.5, 12);
  });

  test('an empty map changes no load but reports every consumer as a fallback; no map, no demandSource', () => {
    const without = runLoad(rackTwin().snap);
    const empty = runLoad(rackTwin().snap, { demandKw: new Map() });
    expect(without.summary).not.toHaveProperty('demandSource');
    expect(empty.assets).toEqual(without.assets);
    expect(empty.summary).toEqual({ ...without.summary, demandSource: { observed: 0, fallback: 4, unmatched: 0 } });
  });

  test('a bad observed demand is rejected, naming the asset', () => {
    expect(() => runLoad(pairTwin(), { demandKw: new Map([['rack', -1]]) })).toThrow(/demandKw for asset rack must be a number of at least 0/);
    expect(() => runLoad(pairTwin(), { demandKw: new Map([['rack', NaN]]) })).toThrow(/demandKw for asset rack/);
  });
});
