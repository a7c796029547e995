// asset-save: second statement of an upsert transaction (after asset-lock): writes the merged
// assets and releases the `_lock` marker.
// Parameters:
//   $rows: list of {id: string, changes: map}. `changes` holds kind, name, version, createdAt,
//     updatedAt and the user properties to write; a null value removes that property (SET +=).
//     An unchanged asset comes with an empty map. Live state (`_state`, `_stateObservedAt`,
//     `status`) is never in it: only state-save writes those, so an upsert keeps them.
// Returns: one row: saved (integer, how many assets were matched).
UNWIND $rows AS row
MATCH (a:Asset {id: row.id})
SET a += row.changes
REMOVE a._lock
RETURN count(*) AS saved
