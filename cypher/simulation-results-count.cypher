// simulation-results-count: how many simulation results a run has.
// Parameters:
//   $runId: string, the run id.
// Returns: one row: total (integer, 0 for an unknown run).
OPTIONAL MATCH (:ScenarioRun {id: $runId})-[:HAS_RESULT]->(s:SimulationResult)
RETURN count(s) AS total
