/**
 * The explorer's layered layout (explorer/src/layout.ts, pure) on the demo twin's dependency
 * graph: suppliers are drawn above what depends on them, nothing is drawn on top of anything
 * else, 200 servers do not become one row thousands of pixels wide, and the same graph is laid
 * out the same way whatever order it arrives in.
 */
import { demoTwin } from '../../src/demo/demo-twin';
import { indexModel, loadTwinModel } from '../../src/model/twin-model';
import { layeredPositions, NODE_SPACING, type LayoutInput } from '../../explorer/src/layout';

const model = indexModel(loadTwinModel());
const twin = demoTwin();

/** The demo twin's dependency edges as the explorer draws them: supplier -> consumer. */
const dependencyEdges = twin.relationships.flatMap((r) => {
  const direction = model.types.get(r.type)?.dependency;
  if (direction === 'FORWARD') return [{ from: r.from, to: r.to }];
  if (direction === 'REVERSE') return [{ from: r.to, to: r.from }];
  return [];
});

/** The assets within `depth` hops of `root` both ways, and the edges among them. */
function neighbourhood(root: string, depth: number): LayoutInput {
  const nodes = new Set([root]);
  let frontier = [root];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const e of dependencyEdges) {
      for (const [a, b] of [[e.from, e.to], [e.to, e.from]]) if (frontier.includes(a) && !nodes.has(b)) (nodes.add(b), next.push(b));
    }
    frontier = next;
  }
  return { nodes: [...nodes], edges: dependencyEdges.filter((e) => nodes.has(e.from) && nodes.has(e.to)) };
}

describe("the explorer's layout", () => {
  const input = neighbourhood('ups-a', 4);
  const positions = layeredPositions(input);

  it('places every asset, suppliers above their consumers', () => {
    expect(input.nodes.length).toBeGreaterThan(200);
    expect([...positions.keys()].sort()).toEqual([...input.nodes].sort());
    for (const e of input.edges) expect(positions.get(e.from)!.y).toBeLessThan(positions.get(e.to)!.y);
  });

  it('draws no asset on top of another', () => {
    const points = [...positions.values()];
    let nearest = Infinity;
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) nearest = Math.min(nearest, Math.hypot(points[i].x - points[j].x, points[i].y - points[j].y));
    }
    // 40 px: the largest node (the root) is 40 px across.
    expect(nearest).toBeGreaterThanOrEqual(40);
  });

  it('folds the 200 servers into blocks under their racks instead of one row', () => {
    const xs = [...positions.values()].map((p) => p.x);
    const ys = [...positions.values()].map((p) => p.y);
    const width = Math.max(...xs) - Math.min(...xs);
    const height = Math.max(...ys) - Math.min(...ys);
    expect(width).toBeLessThan(200 * NODE_SPACING * 0.25);
    expect(width / height).toBeLessThan(3);
    // Each server sits within a block's width of its rack.
    for (const e of input.edges.filter((e) => e.from.startsWith('rack-') && e.to.startsWith('srv-'))) {
      expect(Math.abs(positions.get(e.from)!.x - positions.get(e.to)!.x)).toBeLessThanOrEqual(NODE_SPACING * 2);
    }
  });

  it('lays out the same graph the same way, whatever order it comes in', () => {
    const shuffled: LayoutInput = { nodes: [...input.nodes].reverse(), edges: [...input.edges].reverse() };
    expect(layeredPositions(shuffled)).toEqual(positions);
  });

  it('copes with a dependency cycle and with assets without edges', () => {
    const cyclic = layeredPositions({ nodes: ['a', 'b', 'c', 'lonely'], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }] });
    expect(cyclic.size).toBe(4);
    expect(cyclic.get('a')!.y).toBeLessThan(cyclic.get('b')!.y);
    expect(cyclic.get('b')!.y).toBeLessThan(cyclic.get('c')!.y);
  });
});
