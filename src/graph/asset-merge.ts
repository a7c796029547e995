import type { AssetRecord, AssetWrite, Properties, PropertyValue } from './types';

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
    status: before?.status ?? null,
    version: before ? before.version + 1 : 1,
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
  };
  return before && sameAsset(before, after) ? before : after;
}
