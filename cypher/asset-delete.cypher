// asset-delete: delete assets and every relationship they have.
// Parameters:
//   $ids: list of string, asset ids.
// Returns: one row: deleted (integer, how many of the assets existed).
MATCH (a:Asset)
WHERE a.id IN $ids
DETACH DELETE a
RETURN count(*) AS deleted
