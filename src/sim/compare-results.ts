import type { SimulationResultRecord } from '../graph/scenario-types';

/** One asset whose outcome differs between two runs. */
export interface ResultDifference {
  assetId: string;
  a: SimulationResultRecord | null;
  b: SimulationResultRecord | null;
  changes: string[];
}

const show = (v: unknown) => (v === null || v === undefined ? '(none)' : String(v));
/** Loads within this of each other count as equal (sums of floats). */
const LOAD_TOLERANCE = 1e-6;

/**
 * Compare the results of two runs asset by asset. States, overloads and loads are compared
 * directly; availabilities differ only when their 95% confidence intervals do not overlap, so
 * Monte Carlo noise is not reported as a difference. Sorted by asset id.
 */
export function compareResults(a: SimulationResultRecord[], b: SimulationResultRecord[]): ResultDifference[] {
  const byAsset = new Map<string, { a: SimulationResultRecord | null; b: SimulationResultRecord | null }>();
  for (const r of a) byAsset.set(r.assetId, { a: r, b: null });
  for (const r of b) byAsset.set(r.assetId, { a: byAsset.get(r.assetId)?.a ?? null, b: r });
  const out: ResultDifference[] = [];
  for (const [assetId, pair] of [...byAsset].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const changes = differences(pair.a, pair.b);
    if (changes.length) out.push({ assetId, ...pair, changes });
  }
  return out;
}

function differences(a: SimulationResultRecord | null, b: SimulationResultRecord | null): string[] {
  const changes: string[] = [];
  if ((a?.state ?? null) !== (b?.state ?? null)) changes.push(`state: ${show(a?.state)} -> ${show(b?.state)}`);
  if ((a?.overloaded ?? null) !== (b?.overloaded ?? null)) changes.push(`overloaded: ${show(a?.overloaded)} -> ${show(b?.overloaded)}`);
  const loadA = a?.loadKw ?? null;
  const loadB = b?.loadKw ?? null;
  if ((loadA === null) !== (loadB === null) || (loadA !== null && loadB !== null && Math.abs(loadA - loadB) > LOAD_TOLERANCE)) {
    changes.push(`loadKw: ${show(loadA)} -> ${show(loadB)}`);
  }
  const hasA = a?.availability != null;
  const hasB = b?.availability != null;
  if (hasA !== hasB || (hasA && hasB && (a!.availabilityHigh! < b!.availabilityLow! || b!.availabilityHigh! < a!.availabilityLow!))) {
    changes.push(`availability: ${show(a?.availability)} -> ${show(b?.availability)}`);
  }
  return changes;
}
