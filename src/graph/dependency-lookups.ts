import type { ModelIndex } from '../model/twin-model';
import type { DependencySide } from './types';

/** One store lookup for dependency edges: relationships of `types` with the given ids at `idsAt`. */
export interface DependencyLookup {
  types: string[];
  idsAt: 'from' | 'to';
  /** FORWARD types point supplier → consumer; REVERSE types consumer → supplier. */
  forward: boolean;
}

/**
 * The lookups both adapters make for dependency edges one hop from some assets. For UPSTREAM
 * the given ids are consumers: the target of a FORWARD edge, the source of a REVERSE one.
 * `types` narrows the model's dependency types; a lookup left with no type is dropped.
 */
export function dependencyLookups(model: ModelIndex, side: DependencySide, types?: string[]): DependencyLookup[] {
  const allowed = (list: string[]) => (types ? list.filter((t) => types.includes(t)) : list);
  const lookups: DependencyLookup[] = [
    { types: allowed(model.forwardTypes), idsAt: side === 'UPSTREAM' ? 'to' : 'from', forward: true },
    { types: allowed(model.reverseTypes), idsAt: side === 'UPSTREAM' ? 'from' : 'to', forward: false },
  ];
  return lookups.filter((lookup) => lookup.types.length > 0);
}

/** Supplier and consumer of a relationship found by `lookup`. */
export function dependencyEnds(lookup: Pick<DependencyLookup, 'forward'>, fromId: string, toId: string): { supplier: string; consumer: string } {
  return lookup.forward ? { supplier: fromId, consumer: toId } : { supplier: toId, consumer: fromId };
}
