import type { AssetRecord, AssetWrite, Properties, PropertyValue, Scalar, StateWrite } from './types';

/** Apply a property patch: keys in `patch` replace stored ones, a null value removes the key. */
export function mergeProperties(stored: Properties, patch: Record<string, PropertyValue | null>): Properties {
  const merged: Properties = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Whether an upsert changed nothing a caller can see (then the version stays). */
export function sameAsset(a: AssetRecord, b: AssetRecord): boolean {
  return a.kind === b.kind && a.name === b.name && sameProperties(a.properties, b.properties);
}

function sameProperties(a: Properties, b: Properties): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}

/**
 * The asset after a write, as both stores compute it: `before` itself (same object) when the
 * write changes nothing, else a new record with version and updatedAt moved on (or a new asset).
 */
export function applyAssetWrite(before: AssetRecord | null, write: AssetWrite, now: string): AssetRecord {
  const after: AssetRecord = {
    id: write.id,
    kind: write.kind,
    name: write.name === undefined ? (before?.name ?? null) : write.name,
    properties: mergeProperties(before?.properties ?? {}, write.properties ?? {}),
    state: before?.state ?? {},
    stateObservedAt: before?.stateObservedAt ?? {},
    status: before?.status ?? null,
    version: before ? before.version + 1 : 1,
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
  };
  return before && sameAsset(before, after) ? before : after;
}

/**
 * Apply one state report to an asset, per metric last-writer-wins by `observedAt` (ISO strings
 * of one format compare in time order). Returns null when no metric moves forward (STALE).
 */
export function applyStateWrite(before: AssetRecord, write: StateWrite, now: string): { asset: AssetRecord; changed: Record<string, Scalar> } | null {
  const changed: Record<string, Scalar> = {};
  const state = { ...before.state };
  const stateObservedAt = { ...before.stateObservedAt };
  for (const [metric, value] of Object.entries(write.values)) {
    const seen = stateObservedAt[metric];
    if (seen !== undefined && seen >= write.observedAt) continue;
    state[metric] = value;
    stateObservedAt[metric] = write.observedAt;
    changed[metric] = value;
  }
  if (Object.keys(changed).length === 0) return null;
  const status = typeof state.status === 'string' ? state.status : before.status;
  return {
    asset: { ...before, state, stateObservedAt, status, version: before.version + 1, updatedAt: now },
    changed,
  };
}
