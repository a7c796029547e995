// asset-get: assets by id.
// Parameters:
//   $ids: list of string, asset ids (duplicates and unknown ids are fine).
// Returns: one row per existing asset: asset (map of all node properties; the adapter drops
//   `_`-prefixed keys from `properties` and parses `_state` and `_stateObservedAt`).
MATCH (a:Asset)
WHERE a.id IN $ids
RETURN a {.*} AS asset
