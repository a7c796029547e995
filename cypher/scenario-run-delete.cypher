// scenario-run-delete: delete a scenario run and its simulation results.
// Parameters:
//   $id: string, the run id.
// Returns: one row: deleted (integer, 1 when the run existed, else 0), results (integer, how many
//   of its results were deleted).
OPTIONAL MATCH (r:ScenarioRun {id: $id})
OPTIONAL MATCH (r)-[:HAS_RESULT]->(s:SimulationResult)
WITH r, collect(s) AS results
WITH r, results, CASE WHEN r IS NULL THEN 0 ELSE 1 END AS deleted
FOREACH (s IN results | DETACH DELETE s)
DETACH DELETE r
RETURN deleted, size(results) AS results
