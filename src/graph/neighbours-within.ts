import { checkRequestDeadline } from './request-deadline';
import type { NeighbourWalk } from './types';

/** One level of a walk: [given id, id one hop away] pairs of `ids` (TopologyReader.dependencyNeighbours). */
type NeighbourLookup = (ids: string[]) => Promise<[string, string][]>;

/**
 * `dependencyNeighboursWithin` level by level, for stores whose round trips cost next to nothing
 * (the embedded SQLite) or that must answer each level themselves (the `asOf` view): the pairs of
 * `ids`, then of each asset first reached, until `depth` levels have been read. Before each level
 * after the first it checks the request's deadline and awaits `betweenLevels` (the embedded
 * store gives the event loop a turn there), as it would between store calls.
 */
export async function neighboursLevelByLevel(
  lookup: NeighbourLookup,
  ids: string[],
  depth: number,
  betweenLevels?: () => Promise<void>,
): Promise<NeighbourWalk> {
  const seen = new Set(ids);
  const out: [string, string][] = [];
  let frontier = [...seen];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    if (level > 0) {
      checkRequestDeadline();
      await betweenLevels?.();
    }
    const pairs = await lookup(frontier);
    frontier = [];
    for (const pair of pairs) {
      out.push(pair);
      if (!seen.has(pair[1])) {
        seen.add(pair[1]);
        frontier.push(pair[1]);
      }
    }
  }
  return { pairs: out };
}
