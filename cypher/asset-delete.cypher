// asset-delete: delete assets with every relationship they have and their simulation results
// (a result goes with its asset, as in the embedded store).
// Parameters:
//   $ids: list of string, asset ids.
// Returns: one row: deleted (integer, how many of the assets existed).
MATCH (a:Asset)
WHERE a.id IN $ids
OPTIONAL MATCH (a)<-[:FOR]-(s:SimulationResult)
WITH a, collect(s) AS results
FOREACH (s IN results | DETACH DELETE s)
DETACH DELETE a
RETURN count(*) AS deleted
