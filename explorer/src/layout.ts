/**
 * Layered layout: dagre (via cytoscape-dagre) ranks the dependency graph top to bottom, suppliers
 * above consumers, and orders each rank to cross few edges. A rank wider than fits a screen (50
 * servers under 5 racks, 200 under 20) is then folded: its nodes are grouped by the supplier
 * they hang from, and each group is drawn as a block of a few columns under that supplier, so a
 * few hundred nodes stay readable and edges stay short instead of one row thousands of pixels
 * wide.
 */
import type { Core, NodeSingular } from 'cytoscape';

export const NODE_SPACING = 80;
const ROW_GAP = 62;
const RANK_GAP = 96;
const BLOCK_GAP = 40;

export function layoutGraph(cy: Core): void {
  if (cy.nodes().length === 0) return;
  cy.elements()
    .filter((e) => e.isNode() || !e.hasClass('structural'))
    .layout({
      name: 'dagre',
      rankDir: 'TB',
      nodeSep: 22,
      rankSep: RANK_GAP,
      edgeSep: 8,
      ranker: 'network-simplex',
      // The same graph is laid out the same way: nodes enter dagre in id order.
      sort: (a: NodeSingular, b: NodeSingular) => a.id().localeCompare(b.id()),
      animate: false,
      fit: false,
    } as never)
    .run();
  foldWideRanks(cy);
  cy.fit(undefined, 30);
}

/** The nodes with an edge into `n` that are in `among` (its suppliers in the rank above). */
function suppliersIn(n: NodeSingular, among: Set<string>): NodeSingular[] {
  const out: NodeSingular[] = [];
  n.incomers()
    .nodes()
    .forEach((p) => {
      if (among.has(p.id())) out.push(p);
    });
  return out;
}

function byX(a: NodeSingular, b: NodeSingular): number {
  return a.position('x') - b.position('x') || a.id().localeCompare(b.id());
}

function foldWideRanks(cy: Core): void {
  const nodes = cy.nodes();
  const perRow = Math.max(8, Math.min(24, Math.ceil(Math.sqrt(nodes.length) * 1.3)));
  const maxWidth = (perRow - 1) * NODE_SPACING;
  const ranks = new Map<number, NodeSingular[]>();
  nodes.forEach((n) => {
    const y = Math.round(n.position('y'));
    ranks.set(y, [...(ranks.get(y) ?? []), n]);
  });
  const xs = nodes.map((n) => n.position('x')).sort((a, b) => a - b);
  const centre = xs[Math.floor(xs.length / 2)] ?? 0;
  let previousBottom = Number.NEGATIVE_INFINITY;
  let above: NodeSingular[] = [];
  for (const rankY of [...ranks.keys()].sort((a, b) => a - b)) {
    const rank = reorder(ranks.get(rankY)!.sort(byX), above);
    const top = Math.max(rankY, previousBottom + RANK_GAP);
    if (rank.length <= perRow) {
      // A rank dagre spread out to sit above a wide one is drawn within a folded rank's width.
      const left = rank[0].position('x');
      const span = rank[rank.length - 1].position('x') - left;
      const mid = left + span / 2;
      const scale = span > maxWidth ? maxWidth / span : 1;
      for (const n of rank) n.position({ x: centre + (n.position('x') - mid) * scale, y: top });
      previousBottom = top;
    } else {
      previousBottom = foldRank(rank, above, top, perRow, centre);
    }
    above = rank;
  }
}

/**
 * Nodes ordered under their suppliers (by the mean x of their suppliers in the rank above), ties
 * by id, keeping the x slots dagre gave the rank: rack-r2-01 … rack-r2-05 read left to right.
 */
function reorder(rank: NodeSingular[], above: NodeSingular[]): NodeSingular[] {
  if (!above.length) return rank;
  const aboveIds = new Set(above.map((n) => n.id()));
  const slots = rank.map((n) => n.position('x'));
  const key = new Map(
    rank.map((n) => {
      const xs = suppliersIn(n, aboveIds).map((p) => p.position('x'));
      return [n.id(), xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : Number.MAX_SAFE_INTEGER];
    }),
  );
  const ordered = [...rank].sort((a, b) => key.get(a.id())! - key.get(b.id())! || a.id().localeCompare(b.id()));
  ordered.forEach((n, i) => n.position('x', slots[i]));
  return ordered;
}

/** Fold one wide rank into blocks under their suppliers; returns the y of its last row. */
function foldRank(rank: NodeSingular[], above: NodeSingular[], top: number, perRow: number, centre: number): number {
  const aboveIds = new Set(above.map((n) => n.id()));
  const order = new Map(above.map((n, i) => [n.id(), i]));
  // Each node joins the block of its leftmost supplier in the rank just above (or a block of its own kind).
  const groups = new Map<string, NodeSingular[]>();
  for (const n of rank) {
    const parents = suppliersIn(n, aboveIds).sort((a, b) => (order.get(a.id()) ?? 0) - (order.get(b.id()) ?? 0));
    const key = parents.length ? parents[0].id() : `~${n.data('kind') ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const keys = [...groups.keys()].sort((a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER) || a.localeCompare(b));
  const rows = Math.ceil(rank.length / perRow);
  const blocks = keys.map((key) => {
    const members = groups.get(key)!.sort((a, b) => a.id().localeCompare(b.id()));
    const cols = Math.max(1, Math.ceil(members.length / rows));
    return { key, members, cols, width: (cols - 1) * NODE_SPACING };
  });
  const total = blocks.reduce((w, b) => w + b.width, 0) + (blocks.length - 1) * (NODE_SPACING + BLOCK_GAP);
  let x = centre - total / 2;
  let bottom = top;
  const parentX = new Map<string, number>();
  for (const b of blocks) {
    b.members.forEach((n, i) => {
      const row = Math.floor(i / b.cols);
      const y = top + row * ROW_GAP;
      bottom = Math.max(bottom, y);
      n.position({ x: x + (i % b.cols) * NODE_SPACING, y });
    });
    parentX.set(b.key, x + b.width / 2);
    x += b.width + NODE_SPACING + BLOCK_GAP;
  }
  // Suppliers move above their blocks; the others of their rank keep their order, spaced apart.
  if (above.length && blocks.some((b) => aboveIds.has(b.key))) {
    const placed = above.map((n) => ({ n, x: parentX.get(n.id()) ?? n.position('x') })).sort((a, b) => a.x - b.x);
    for (let i = 1; i < placed.length; i++) placed[i].x = Math.max(placed[i].x, placed[i - 1].x + NODE_SPACING);
    for (const p of placed) p.n.position('x', p.x);
  }
  return bottom;
}
