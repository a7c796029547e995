/**
 * Layered layout for dependency graphs, suppliers above consumers (feeds, UPS, PDUs, racks,
 * servers, services, top to bottom):
 *
 * 1. rank: the longest chain of suppliers above each asset (cycles broken), and an asset that
 *    supplies but has no supplier shown sits just above its highest consumer (the B PDU beside
 *    the A PDU, not beside the utility feed);
 * 2. order: each rank sorted by the mean position of its suppliers, then of its consumers, a few
 *    sweeps down and up (the barycentre heuristic), ties by id, so few edges cross;
 * 3. place: each asset under its suppliers, spaced apart; a rank wider than fits a screen (200
 *    servers under 20 racks) is folded into blocks of a few columns, one block under each
 *    supplier, so a few hundred assets stay readable and edges stay short.
 *
 * Written for this page instead of a general layout (dagre's ranks put a rack beside its servers
 * and its one-row ranks are thousands of pixels wide on the demo twin; force layouts give a
 * hairball); positions are handed to cytoscape as a preset layout.
 */
import type { Core } from 'cytoscape';

export const NODE_SPACING = 80;
const ROW_GAP = 58;
const RANK_GAP = 84;
const BLOCK_GAP = 40;
const SWEEPS = 4;

export interface LayoutInput {
  nodes: string[];
  /** Dependency edges, supplier → consumer. */
  edges: { from: string; to: string }[];
}

export type Positions = Map<string, { x: number; y: number }>;

export function layoutGraph(cy: Core): void {
  if (cy.nodes().length === 0) return;
  const edges: LayoutInput['edges'] = [];
  cy.edges().forEach((e) => {
    if (!e.hasClass('structural')) edges.push({ from: e.source().id(), to: e.target().id() });
  });
  const input: LayoutInput = { nodes: cy.nodes().map((n) => n.id()), edges };
  const positions = layeredPositions(input);
  cy.layout({ name: 'preset', positions: (n: { id(): string }) => positions.get(n.id()) ?? { x: 0, y: 0 }, fit: false, animate: false } as never).run();
  cy.fit(undefined, 30);
}

/** Positions for every node; pure, so it is the same for the same graph. */
export function layeredPositions({ nodes, edges }: LayoutInput): Positions {
  const ids = [...new Set(nodes)].sort();
  const known = new Set(ids);
  const up = new Map<string, string[]>(ids.map((id) => [id, []]));
  const down = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of acyclic(ids, edges.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to))) {
    down.get(e.from)!.push(e.to);
    up.get(e.to)!.push(e.from);
  }
  for (const list of [...up.values(), ...down.values()]) list.sort();
  const rank = ranks(ids, up, down);
  const layers = order(ids, rank, up, down);
  return place(layers, up, down);
}

/** The edges without those that close a cycle (found by a depth-first walk in id order). */
function acyclic(ids: string[], edges: { from: string; to: string }[]): { from: string; to: string }[] {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) out.get(e.from)!.push(e.to);
  for (const list of out.values()) list.sort();
  const state = new Map<string, 1 | 2>();
  const back = new Set<string>();
  for (const root of ids) {
    if (state.has(root)) continue;
    const stack: [string, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = out.get(top[0])![top[1]++];
      if (next === undefined) {
        state.set(top[0], 2);
        stack.pop();
      } else if (state.get(next) === 1) back.add(`${top[0]}\u0000${next}`);
      else if (!state.has(next)) {
        state.set(next, 1);
        stack.push([next, 0]);
      }
    }
  }
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = `${e.from}\u0000${e.to}`;
    if (back.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function ranks(ids: string[], up: Map<string, string[]>, down: Map<string, string[]>): Map<string, number> {
  const rank = new Map<string, number>();
  const waiting = new Map(ids.map((id) => [id, up.get(id)!.length]));
  const queue = ids.filter((id) => waiting.get(id) === 0);
  for (const id of queue) rank.set(id, 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    for (const c of down.get(id)!) {
      rank.set(c, Math.max(rank.get(c) ?? 0, rank.get(id)! + 1));
      waiting.set(c, waiting.get(c)! - 1);
      if (waiting.get(c) === 0) queue.push(c);
    }
  }
  // Suppliers without a supplier shown hang just above their highest consumer.
  for (const id of ids) {
    const consumers = down.get(id)!;
    if (up.get(id)!.length === 0 && consumers.length) rank.set(id, Math.max(0, Math.min(...consumers.map((c) => rank.get(c)!)) - 1));
  }
  return rank;
}

function order(ids: string[], rank: Map<string, number>, up: Map<string, string[]>, down: Map<string, string[]>): string[][] {
  const depth = Math.max(...ids.map((id) => rank.get(id)!));
  const layers: string[][] = Array.from({ length: depth + 1 }, () => []);
  for (const id of ids) layers[rank.get(id)!].push(id);
  const where = new Map<string, number>();
  const index = () => layers.forEach((layer) => layer.forEach((id, i) => where.set(id, layer.length > 1 ? i / (layer.length - 1) : 0.5)));
  index();
  const sortBy = (layer: string[], neighbours: Map<string, string[]>) => {
    const key = new Map(
      layer.map((id) => {
        const ns = neighbours.get(id)!;
        return [id, ns.length ? ns.reduce((s, n) => s + where.get(n)!, 0) / ns.length : where.get(id)!];
      }),
    );
    layer.sort((a, b) => key.get(a)! - key.get(b)! || a.localeCompare(b));
  };
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let r = 1; r <= depth; r++) {
      sortBy(layers[r], up);
      index();
    }
    for (let r = depth - 1; r >= 0; r--) {
      sortBy(layers[r], down);
      index();
    }
  }
  // A final downward sweep: consumers follow their suppliers' order.
  for (let r = 1; r <= depth; r++) {
    sortBy(layers[r], up);
    index();
  }
  return layers.filter((l) => l.length);
}

/** Left to right in the given order, at least `gap` apart, as near their wished x as that allows. */
function spread(items: { want: number; width: number }[], gap: number): number[] {
  const xs: number[] = [];
  items.forEach((item, i) => {
    xs.push(i === 0 ? item.want : Math.max(item.want, xs[i - 1] + items[i - 1].width / 2 + gap + item.width / 2));
  });
  // Shift the whole row so that it is, on average, where it was wished.
  const shift = items.reduce((s, item, i) => s + (item.want - xs[i]), 0) / Math.max(1, items.length);
  return xs.map((x) => x + shift);
}

function place(layers: string[][], up: Map<string, string[]>, down: Map<string, string[]>): Positions {
  const total = layers.reduce((n, l) => n + l.length, 0);
  const perRow = Math.max(8, Math.min(24, Math.ceil(Math.sqrt(total) * 1.3)));
  const pos: Positions = new Map();
  const meanX = (ids: string[]) => {
    const xs = ids.map((id) => pos.get(id)?.x).filter((x): x is number => x !== undefined);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
  };
  let y = 0;
  const folded = new Set<number>();
  layers.forEach((layer, r) => {
    const wish = (id: string, i: number) => meanX(up.get(id)!) ?? (i - (layer.length - 1) / 2) * NODE_SPACING;
    if (layer.length <= perRow) {
      const xs = spread(
        layer.map((id, i) => ({ want: wish(id, i), width: 0 })),
        NODE_SPACING,
      );
      layer.forEach((id, i) => pos.set(id, { x: xs[i], y }));
      y += RANK_GAP;
      return;
    }
    // Fold: one block per supplier in the rank above (the leftmost one it has), in that order.
    folded.add(r);
    const above = new Set(r > 0 ? layers[r - 1] : []);
    const groups = new Map<string, string[]>();
    for (const id of layer) {
      const parents = up.get(id)!.filter((p) => above.has(p));
      const key = parents.length ? parents.sort((a, b) => pos.get(a)!.x - pos.get(b)!.x || a.localeCompare(b))[0] : '';
      groups.set(key, [...(groups.get(key) ?? []), id]);
    }
    const rows = Math.ceil(layer.length / perRow);
    const blocks = [...groups.entries()]
      .map(([key, members]) => {
        const cols = Math.max(1, Math.ceil(members.length / rows));
        return { key, members, cols, width: (cols - 1) * NODE_SPACING, want: key ? pos.get(key)!.x : (meanX(members.flatMap((m) => up.get(m)!)) ?? 0) };
      })
      .sort((a, b) => a.want - b.want || a.key.localeCompare(b.key));
    const centres = spread(blocks, NODE_SPACING + BLOCK_GAP);
    let bottom = y;
    blocks.forEach((b, i) => {
      const left = centres[i] - b.width / 2;
      b.members.forEach((id, k) => {
        const row = Math.floor(k / b.cols);
        pos.set(id, { x: left + (k % b.cols) * NODE_SPACING, y: y + row * ROW_GAP });
        bottom = Math.max(bottom, y + row * ROW_GAP);
      });
    });
    y = bottom + RANK_GAP;
  });
  // Upward: suppliers centred over their consumers where the spacing allows (not over folded blocks' rows).
  for (let r = layers.length - 2; r >= 0; r--) {
    if (folded.has(r)) continue;
    const layer = layers[r];
    const next = new Set(layers[r + 1]);
    const xs = spread(
      layer.map((id) => ({ want: meanX(down.get(id)!.filter((c) => next.has(c))) ?? pos.get(id)!.x, width: 0 })),
      NODE_SPACING,
    );
    layer.forEach((id, i) => (pos.get(id)!.x = xs[i]));
  }
  return pos;
}
