import type { DependencyEdge } from '../graph/types';

/** Version of the impact semantics; stored with scenario runs so results can be reproduced. */
export const IMPACT_ENGINE_VERSION = 'impact/1';

export interface ImpactEntry {
  id: string;
  state: 'DOWN' | 'AT_RISK';
  /** Hops from the nearest failed asset along the chain that led here. */
  depth: number;
  /** The failed asset at the start of that chain. */
  cause: string;
}

export interface ImpactResult {
  failed: string[];
  down: ImpactEntry[];
  atRisk: ImpactEntry[];
}

interface Group {
  need: number;
  suppliers: string[];
}

/**
 * A consumer's redundancy groups: its dependency edges sharing a `redundancyGroup` property
 * form one group needing `minLive` (default 1) live suppliers; an edge without a group is a
 * group of its own.
 */
export function redundancyGroups(edges: DependencyEdge[]): Map<string, Group[]> {
  const byConsumer = new Map<string, Map<string, Group>>();
  for (const { supplier, consumer, relationship } of edges) {
    const groupName = relationship.properties.redundancyGroup;
    const key = typeof groupName === 'string' ? `g:${groupName}` : `e:${supplier}:${relationship.type}`;
    const minLive = relationship.properties.minLive;
    const need = typeof minLive === 'number' ? minLive : 1;
    if (!byConsumer.has(consumer)) byConsumer.set(consumer, new Map());
    const groups = byConsumer.get(consumer)!;
    const group = groups.get(key) ?? { need: 0, suppliers: [] };
    group.need = Math.max(group.need, need);
    if (!group.suppliers.includes(supplier)) group.suppliers.push(supplier);
    groups.set(key, group);
  }
  return new Map([...byConsumer].map(([consumer, groups]) => [consumer, [...groups.values()]]));
}

/**
 * Redundancy-aware failure cascade, a pure function of the edges and the failed set.
 * A consumer goes DOWN when any of its groups has fewer live suppliers than it needs; the
 * cascade repeats to a fixpoint (independent of edge order). Consumers that stay up but lost a
 * supplier are AT_RISK. Depth and cause follow the shortest chain of DOWN suppliers whose loss
 * brought each asset down (members of a group that fell below its need), ties broken by id,
 * so the report is deterministic.
 */
export function computeImpact(edges: DependencyEdge[], failed: string[]): ImpactResult {
  const groups = redundancyGroups(edges);
  const consumersOf = new Map<string, string[]>();
  for (const { supplier, consumer } of edges) {
    if (!consumersOf.has(supplier)) consumersOf.set(supplier, []);
    consumersOf.get(supplier)!.push(consumer);
  }
  const down = new Set(failed);
  const isDown = (consumer: string) =>
    groups.get(consumer)!.some((g) => g.suppliers.filter((s) => !down.has(s)).length < g.need);

  const work = [...down];
  while (work.length > 0) {
    for (const consumer of consumersOf.get(work.pop()!) ?? []) {
      if (!down.has(consumer) && isDown(consumer)) {
        down.add(consumer);
        work.push(consumer);
      }
    }
  }

  const chain = downChains(down, failed, groups, consumersOf);
  const affected = new Map<string, ImpactEntry>();
  const failedSet = new Set(failed); // not failed.includes: that is down × failed work
  for (const id of down) {
    if (!failedSet.has(id)) affected.set(id, { id, state: 'DOWN', ...chain.get(id)! });
  }
  for (const [consumer, consumerGroups] of groups) {
    if (down.has(consumer)) continue;
    const lost = consumerGroups.flatMap((g) => g.suppliers).filter((s) => down.has(s));
    if (lost.length > 0) affected.set(consumer, { id: consumer, state: 'AT_RISK', ...bestVia(lost, chain) });
  }
  const order = (a: ImpactEntry, b: ImpactEntry) => a.depth - b.depth || (a.id < b.id ? -1 : 1);
  const entries = [...affected.values()].sort(order);
  return {
    failed: [...failedSet],
    down: entries.filter((e) => e.state === 'DOWN'),
    atRisk: entries.filter((e) => e.state === 'AT_RISK'),
  };
}

type Chain = { depth: number; cause: string };

/**
 * Shortest chain of DOWN suppliers from the failed set to each DOWN asset, through the
 * suppliers whose loss brought it down: the DOWN members of its groups that fell below their
 * need. A redundant supplier it could do without is not its cause, even when nearer.
 */
function downChains(down: Set<string>, failed: string[], groups: Map<string, Group[]>, consumersOf: Map<string, string[]>) {
  const lostIn = (gs: Group[]) => gs.flatMap((g) => g.suppliers).filter((s) => down.has(s));
  const culprits = new Map<string, Set<string>>();
  const culpritsOf = (consumer: string): Set<string> => {
    let set = culprits.get(consumer);
    if (!set) {
      const all = groups.get(consumer)!;
      const broken = lostIn(all.filter((g) => g.suppliers.filter((s) => !down.has(s)).length < g.need));
      set = new Set(broken.length > 0 ? broken : lostIn(all));
      culprits.set(consumer, set);
    }
    return set;
  };

  const chain = new Map<string, Chain>(failed.map((id) => [id, { depth: 0, cause: id }]));
  let frontier = [...new Set(failed)];
  while (frontier.length > 0) {
    const next = new Set<string>();
    for (const id of frontier) {
      for (const consumer of consumersOf.get(id) ?? []) {
        if (down.has(consumer) && !chain.has(consumer) && culpritsOf(consumer).has(id)) next.add(consumer);
      }
    }
    for (const consumer of next) {
      chain.set(consumer, bestVia([...culpritsOf(consumer)].filter((s) => chain.has(s)), chain));
    }
    frontier = [...next];
  }

  // Only inconsistent data (a group needing more suppliers than it has, inside a cycle) can
  // leave an asset without a chain of culprits: give it the nearest DOWN supplier, level by level.
  let pending = [...down].filter((id) => !chain.has(id)).sort();
  while (pending.length > 0) {
    const settled = pending.flatMap((id) => {
      const via = lostIn(groups.get(id) ?? []).filter((s) => chain.has(s));
      return via.length > 0 ? [[id, bestVia(via, chain)] as const] : [];
    });
    if (settled.length === 0) break;
    for (const [id, c] of settled) chain.set(id, c);
    pending = pending.filter((id) => !chain.has(id));
  }
  return chain;
}

/** One hop past the nearest of `suppliers`; ties go to the smallest cause, then supplier id. */
function bestVia(suppliers: string[], chain: Map<string, Chain>): Chain {
  let best: Chain | null = null;
  for (const s of [...suppliers].sort()) {
    const c = chain.get(s)!;
    if (!best || c.depth + 1 < best.depth || (c.depth + 1 === best.depth && c.cause < best.cause)) {
      best = { depth: c.depth + 1, cause: c.cause };
    }
  }
  return best!;
}
