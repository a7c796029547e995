// asset-existing-ids: which of the given ids exist.
// Parameters:
//   $ids: list of string, asset ids.
// Returns: one row per existing asset: id (string).
MATCH (a:Asset)
WHERE a.id IN $ids
RETURN a.id AS id
