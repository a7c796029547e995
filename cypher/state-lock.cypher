// state-lock: first statement of a state transaction. Write-locks the existing assets among the
// given ids until the transaction ends (the `_lock` property is set here and removed by
// state-save in the same transaction), so that the per-metric merge the adapter computes from
// what it reads here cannot lose a concurrent state report or upsert. Unknown ids are skipped:
// this never creates an asset.
// Parameters:
//   $ids: list of string, distinct asset ids, sorted (one lock order for every batch, so that
//     concurrent batches queue instead of deadlocking).
// Returns: one row per existing asset: asset (map of all node properties, read under the lock).
UNWIND $ids AS assetId
MATCH (a:Asset {id: assetId})
SET a._lock = true
RETURN a {.*} AS asset
