// state-save: last asset statement of a state transaction (after state-lock): writes the merged
// live state of the assets the batch moved and releases the `_lock` marker of every locked asset.
// Parameters:
//   $rows: list of {id: string, changes: map}, one per asset state-lock returned. `changes`
//     holds _state and _stateObservedAt (JSON strings of metric -> value and metric -> ISO-8601
//     observation time), status (string, or null to remove it), version (integer) and updatedAt
//     (string); an asset no report moved comes with an empty map.
// Returns: one row: saved (integer, how many assets were matched).
UNWIND $rows AS row
MATCH (a:Asset {id: row.id})
SET a += row.changes
REMOVE a._lock
RETURN count(*) AS saved
