import DataLoader from 'dataloader';
import type { GraphStore } from '../graph/graph-store';
import { reachable } from '../graph/traversal';
import type { ScenarioRunRecord, SimulationResultRecord } from '../graph/scenario-types';
import type { AssetRecord, DependencySide, Direction, Hop, RelationshipRecord } from '../graph/types';

/**
 * Per-request batching: every asset, relationship list and traversal asked for while resolving
 * one request (or one subscription event) is fetched in one store call per kind of question.
 */
export interface Loaders {
  asset: DataLoader<string, AssetRecord | null>;
  relationships(direction: Direction, types?: string[]): DataLoader<string, RelationshipRecord[]>;
  reachable(side: DependencySide, maxDepth: number, types?: string[]): DataLoader<string, Hop[]>;
  run: DataLoader<string, ScenarioRunRecord | null>;
  /** An asset's results from its newest succeeded runs. */
  scenarioResults(last: number): DataLoader<string, SimulationResultRecord[]>;
}

/** One loader per distinct set of arguments, made on first use. */
function memo<A extends unknown[], T>(make: (...args: A) => DataLoader<string, T>): (...args: A) => DataLoader<string, T> {
  const cache = new Map<string, DataLoader<string, T>>();
  return (...args) => {
    const key = JSON.stringify(args);
    let loader = cache.get(key);
    if (!loader) cache.set(key, (loader = make(...args)));
    return loader;
  };
}

export function createLoaders(store: GraphStore): Loaders {
  return {
    asset: new DataLoader((ids) => store.getAssets([...ids])),
    relationships: memo((direction: Direction, types?: string[]) =>
      new DataLoader(async (ids: readonly string[]) => {
        const byId = await store.relationshipsOf([...ids], direction, types);
        return ids.map((id) => byId.get(id) ?? []);
      }),
    ),
    run: new DataLoader((ids) => store.getRuns([...ids])),
    scenarioResults: memo((last: number) =>
      new DataLoader(async (ids: readonly string[]) => {
        const byId = await store.resultsForAssets([...ids], last);
        return ids.map((id) => byId.get(id) ?? []);
      }),
    ),
    reachable: memo((side: DependencySide, maxDepth: number, types?: string[]) =>
      new DataLoader(async (ids: readonly string[]) => {
        const byId = await reachable(store, [...ids], side, { maxDepth, types });
        return ids.map((id) => byId.get(id) ?? []);
      }),
    ),
  };
}
