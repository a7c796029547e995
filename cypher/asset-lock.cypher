// asset-lock: first statement of an upsert transaction. Creates the missing assets as bare
// nodes and write-locks every given asset until the transaction ends (the `_lock` property is
// set here and removed by asset-save in the same transaction), so that the merge the adapter
// computes from what it reads here cannot lose a concurrent update.
// Parameters:
//   $ids: list of string, distinct asset ids, sorted (the lock order state-lock uses too, so that
//     concurrent batches queue instead of deadlocking).
// Returns: one row per id: assetId (string); asset (map of all node properties, or null when
//   the asset did not exist before this transaction).
UNWIND $ids AS assetId
MERGE (a:Asset {id: assetId})
SET a._lock = true
RETURN assetId, CASE WHEN a.kind IS NULL THEN null ELSE a {.*} END AS asset
