/** The redundancy-aware failure cascade (src/sim/impact.ts) against hand-worked cases. */
import type { DependencyEdge, Properties } from '../../src/graph/types';
import { computeImpact, redundancyGroups, type ImpactResult } from '../../src/sim/impact';

/** `consumer` depends on `supplier`; stored as supplier -FEEDS-> consumer unless a type says otherwise. */
function dep(supplier: string, consumer: string, properties: Properties = {}, type = 'FEEDS'): DependencyEdge {
  const reverse = type === 'DEPENDS_ON' || type === 'RUNS_ON';
  return {
    supplier,
    consumer,
    relationship: reverse ? { from: consumer, to: supplier, type, properties } : { from: supplier, to: consumer, type, properties },
  };
}
const pair = (a: string, b: string, consumer: string, group = 'power', minLive = 1) => [
  dep(a, consumer, { redundancyGroup: group, minLive }),
  dep(b, consumer, { redundancyGroup: group, minLive }),
];

/** Compact view: `id@depth<-cause` in report order. */
function view(result: ImpactResult) {
  const show = (e: { id: string; depth: number; cause: string }) => `${e.id}@${e.depth}<-${e.cause}`;
  return { failed: result.failed, down: result.down.map(show), atRisk: result.atRisk.map(show) };
}

describe('computeImpact', () => {
  test('a series chain goes down link by link, with hop distance and cause', () => {
    const edges = [dep('feed', 'ups'), dep('ups', 'pdu'), dep('pdu', 'rack'), dep('rack', 'app', {}, 'RUNS_ON')];
    expect(view(computeImpact(edges, ['feed']))).toEqual({
      failed: ['feed'],
      down: ['ups@1<-feed', 'pdu@2<-feed', 'rack@3<-feed', 'app@4<-feed'],
      atRisk: [],
    });
    // Failing in the middle leaves the upstream part alone.
    expect(view(computeImpact(edges, ['pdu']))).toEqual({ failed: ['pdu'], down: ['rack@1<-pdu', 'app@2<-pdu'], atRisk: [] });
  });

  test('an A/B pair with minLive 1: one side lost is AT_RISK, both lost is DOWN', () => {
    const edges = [...pair('pduA', 'pduB', 'rack'), dep('rack', 'server')];
    expect(view(computeImpact(edges, ['pduA']))).toEqual({ failed: ['pduA'], down: [], atRisk: ['rack@1<-pduA'] });
    expect(view(computeImpact(edges, ['pduB']))).toEqual({ failed: ['pduB'], down: [], atRisk: ['rack@1<-pduB'] });
    expect(view(computeImpact(edges, ['pduA', 'pduB']))).toEqual({
      failed: ['pduA', 'pduB'],
      down: ['rack@1<-pduA', 'server@2<-pduA'],
      atRisk: [],
    });
  });

  test('a redundant pair upstream: losing one feed puts the pair member down and the consumer at risk', () => {
    const edges = [dep('feedA', 'upsA'), dep('feedB', 'upsB'), ...pair('upsA', 'upsB', 'pdu')];
    expect(view(computeImpact(edges, ['feedA']))).toEqual({ failed: ['feedA'], down: ['upsA@1<-feedA'], atRisk: ['pdu@2<-feedA'] });
  });

  test('2 of 3: one lost is AT_RISK, any two lost is DOWN', () => {
    const edges = ['a', 'b', 'c'].map((s) => dep(s, 'chilled', { redundancyGroup: 'chillers', minLive: 2 }));
    expect(view(computeImpact(edges, ['b'])).atRisk).toEqual(['chilled@1<-b']);
    expect(view(computeImpact(edges, ['b'])).down).toEqual([]);
    for (const failed of [['a', 'b'], ['a', 'c'], ['c', 'b']]) {
      const result = computeImpact(edges, failed);
      expect(result.down.map((e) => e.id)).toEqual(['chilled']);
      expect(result.atRisk).toEqual([]);
    }
  });

  test('the largest minLive stated in a group applies, and a group needs no consistent edge type', () => {
    // One supply edge says minLive 2, the other leaves it out: the group still needs 2.
    const edges = [
      dep('a', 'r', { redundancyGroup: 'g', minLive: 2 }),
      dep('b', 'r', { redundancyGroup: 'g' }, 'DEPENDS_ON'),
      dep('c', 'r', { redundancyGroup: 'g' }),
    ];
    expect(computeImpact(edges, ['a', 'b']).down.map((e) => e.id)).toEqual(['r']);
    expect(computeImpact(edges, ['c']).atRisk.map((e) => e.id)).toEqual(['r']);
    const [group] = redundancyGroups(edges).get('r')!;
    expect(group).toEqual({ need: 2, suppliers: ['a', 'b', 'c'] });
  });

  test('an edge without a group is a group of its own: two ungrouped suppliers are no redundancy', () => {
    const ungrouped = [dep('a', 'r'), dep('b', 'r')];
    expect(view(computeImpact(ungrouped, ['a']))).toEqual({ failed: ['a'], down: ['r@1<-a'], atRisk: [] });
    const withSingle = [...pair('a', 'b', 'r'), dep('c', 'r')];
    expect(view(computeImpact(withSingle, ['c']))).toEqual({ failed: ['c'], down: ['r@1<-c'], atRisk: [] });
    expect(view(computeImpact(withSingle, ['a']))).toEqual({ failed: ['a'], down: [], atRisk: ['r@1<-a'] });
    expect(redundancyGroups(withSingle).get('r')!.map((g) => g.suppliers)).toEqual([['a', 'b'], ['c']]);
  });

  test('group names are per consumer: the same name on two consumers is two groups', () => {
    const edges = [dep('a', 'r1', { redundancyGroup: 'power' }), dep('b', 'r2', { redundancyGroup: 'power' })];
    expect(view(computeImpact(edges, ['a']))).toEqual({ failed: ['a'], down: ['r1@1<-a'], atRisk: [] });
  });

  test('mixed groups: each group must hold on its own', () => {
    const edges = [...pair('pduA', 'pduB', 'rack', 'power'), ...pair('crahA', 'crahB', 'rack', 'cooling')];
    // One of each lost: still up, but at risk.
    expect(view(computeImpact(edges, ['pduA', 'crahB']))).toEqual({ failed: ['pduA', 'crahB'], down: [], atRisk: ['rack@1<-crahB'] });
    // A whole group lost: down, whatever the other group says.
    expect(view(computeImpact(edges, ['crahA', 'crahB'])).down).toEqual(['rack@1<-crahA']);
  });

  test('the cause is a supplier whose loss actually brought the asset down, not one it could do without', () => {
    // rack is fed by an A/B pair and also needs cooling from crah, which needs chiller.
    // Failing pduA (redundant: alone only AT_RISK) and chiller: rack goes down because of the chiller chain.
    const edges = [...pair('pduA', 'pduB', 'rack'), dep('chiller', 'crah'), dep('crah', 'rack', {}, 'COOLS')];
    expect(view(computeImpact(edges, ['pduA', 'chiller']))).toEqual({
      failed: ['pduA', 'chiller'],
      down: ['crah@1<-chiller', 'rack@2<-chiller'],
      atRisk: [],
    });
  });

  test('a group asking for more suppliers than it has still gives every DOWN asset a depth and cause', () => {
    // x has a healthy pair {s1, s2} but also a group {y} that needs 2 (it can never hold), and y runs on x.
    const edges = [...pair('s1', 's2', 'x'), dep('y', 'x', { redundancyGroup: 'odd', minLive: 2 }), dep('x', 'y')];
    expect(view(computeImpact(edges, ['s1']))).toEqual({ failed: ['s1'], down: ['x@1<-s1', 'y@2<-s1'], atRisk: [] });
  });

  test('depth follows the nearest chain; equal chains go to the smallest cause id', () => {
    // f1 -> a -> x and f2 -> x: x is one hop from f2.
    const edges = [dep('f1', 'a'), dep('a', 'x'), dep('f2', 'x')];
    expect(view(computeImpact(edges, ['f1', 'f2'])).down).toEqual(['a@1<-f1', 'x@1<-f2']);
    // Two failed suppliers at the same distance: the smaller id is the cause.
    const tie = [dep('zeta', 'x'), dep('alpha', 'x'), dep('x', 'y')];
    expect(view(computeImpact(tie, ['zeta', 'alpha'])).down).toEqual(['x@1<-alpha', 'y@2<-alpha']);
  });

  test('AT_RISK depth and cause come from the nearest lost supplier', () => {
    const edges = [dep('feed', 'pduA'), ...pair('pduA', 'pduB', 'rack'), dep('rack', 'server')];
    expect(view(computeImpact(edges, ['feed']))).toEqual({ failed: ['feed'], down: ['pduA@1<-feed'], atRisk: ['rack@2<-feed'] });
  });

  test('an AT_RISK asset is listed once, even when it lost suppliers in several groups', () => {
    const edges = [...pair('a', 'b', 'r', 'power'), ...pair('c', 'd', 'r', 'cooling'), dep('e', 'r')];
    const result = computeImpact(edges, ['a', 'd']);
    expect(view(result).atRisk).toEqual(['r@1<-a']);
    expect(result.down).toEqual([]);
  });

  test('cycles end: a loop of single supplies goes down once around', () => {
    const edges = [dep('a', 'b'), dep('b', 'c'), dep('c', 'a'), dep('b', 'b')];
    expect(view(computeImpact(edges, ['a']))).toEqual({ failed: ['a'], down: ['b@1<-a', 'c@2<-a'], atRisk: [] });
  });

  test('cycles end: a redundant member fed back by its own consumer stays up', () => {
    // y has the pair {x, z}; z is fed by y itself. Losing x leaves y up (z still up) and at risk.
    const edges = [dep('f', 'x'), ...pair('x', 'z', 'y'), dep('y', 'z')];
    expect(view(computeImpact(edges, ['f']))).toEqual({ failed: ['f'], down: ['x@1<-f'], atRisk: ['y@2<-f'] });
    // Losing z as well brings y down.
    expect(view(computeImpact(edges, ['f', 'z']))).toEqual({ failed: ['f', 'z'], down: ['x@1<-f', 'y@1<-z'], atRisk: [] });
  });

  test('failed assets are listed only in `failed`, once, even when they also depend on each other', () => {
    const edges = [dep('a', 'b'), dep('b', 'c'), ...pair('a', 'q', 'b')];
    const result = computeImpact(edges, ['a', 'b', 'a']);
    expect(result.failed).toEqual(['a', 'b']);
    expect(view(result).down).toEqual(['c@1<-b']);
    expect(result.atRisk).toEqual([]);
  });

  test('a failed asset with no consumers impacts nothing; unrelated assets are not listed', () => {
    const edges = [dep('a', 'b'), dep('c', 'd')];
    expect(computeImpact(edges, ['b'])).toEqual({ failed: ['b'], down: [], atRisk: [] });
    expect(computeImpact(edges, ['nowhere'])).toEqual({ failed: ['nowhere'], down: [], atRisk: [] });
    expect(computeImpact([], [])).toEqual({ failed: [], down: [], atRisk: [] });
  });

  test('the report does not depend on the order of edges or of the failed list', () => {
    const edges = [
      dep('fa', 'upsA'), dep('fb', 'upsB'), dep('gen', 'upsA'), dep('gen', 'upsB'),
      ...pair('upsA', 'upsB', 'pdu1'), ...pair('upsA', 'upsB', 'pdu2'),
      ...pair('pdu1', 'pdu2', 'rack1', 'power', 1), dep('pdu2', 'rack2'),
      dep('rack1', 'srv1', {}, 'HOSTS'), dep('rack2', 'srv2', {}, 'HOSTS'),
      dep('srv1', 'svc', { redundancyGroup: 'replicas', minLive: 1 }, 'RUNS_ON'),
      dep('srv2', 'svc', { redundancyGroup: 'replicas', minLive: 1 }, 'RUNS_ON'),
      dep('svc', 'api', {}, 'DEPENDS_ON'), dep('api', 'svc', {}, 'DEPENDS_ON'), // a dependency cycle
      ...['c1', 'c2', 'c3'].map((c) => dep(c, 'hall', { redundancyGroup: 'cooling', minLive: 2 }, 'COOLS')),
      dep('hall', 'rack2', {}, 'COOLS'),
    ];
    // Deterministic shuffles (xorshift), so a failure is reproducible.
    let seed = 12345;
    const random = () => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), (seed >>> 0) / 2 ** 32);
    const shuffle = <T>(list: T[]) => {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    };
    for (const failed of [['gen', 'fa'], ['gen', 'fa', 'fb'], ['c1', 'upsB'], ['c1', 'c2', 'srv1'], ['pdu2']]) {
      const baseline = computeImpact(edges, failed);
      expect(baseline.down.length + baseline.atRisk.length).toBeGreaterThan(0);
      for (let i = 0; i < 25; i++) {
        const shuffled = computeImpact(shuffle(edges), shuffle(failed));
        expect(shuffled.down).toEqual(baseline.down);
        expect(shuffled.atRisk).toEqual(baseline.atRisk);
        expect([...shuffled.failed].sort()).toEqual([...baseline.failed].sort());
      }
    }
    // And the hand-worked answer for one of them: both utility feeds and the generator lost.
    expect(view(computeImpact(edges, ['gen', 'fa', 'fb']))).toEqual({
      failed: ['gen', 'fa', 'fb'],
      down: ['upsA@1<-fa', 'upsB@1<-fb', 'pdu1@2<-fa', 'pdu2@2<-fa', 'rack1@3<-fa', 'rack2@3<-fa', 'srv1@4<-fa', 'srv2@4<-fa', 'svc@5<-fa', 'api@6<-fa'],
      atRisk: [],
    });
  });
});
