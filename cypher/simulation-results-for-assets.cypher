// simulation-results-for-assets: for each asset, its results from the newest SUCCEEDED runs
// (submittedAt descending, then run id descending), at most $last per asset.
// Parameters:
//   $assetIds: list of string, distinct asset ids (unknown ids are fine).
//   $last: integer, at least 0: how many results to keep per asset.
// Returns: rows {assetId: string, result: map as documented in simulation-results-page.cypher,
//   submittedAt: string, runId: string}, ordered by assetId, then newest run first.
UNWIND $assetIds AS assetId
MATCH (a:Asset {id: assetId})
CALL {
  WITH a
  MATCH (a)<-[:FOR]-(s:SimulationResult)<-[:HAS_RESULT]-(run:ScenarioRun)
  WHERE run.status = 'SUCCEEDED'
  WITH s, run
  ORDER BY run.submittedAt DESC, run.id DESC
  LIMIT $last
  RETURN s {.runId, .assetId, .state, .depth, .cause, .availability, .availabilityLow, .availabilityHigh, .loadKw,
    .utilization, .overloaded, .observedLoadKw, .errorKw, .failures, .mtbfHours, .mttrHours} AS result, run.submittedAt AS submittedAt, run.id AS runId
}
RETURN a.id AS assetId, result, submittedAt, runId
ORDER BY assetId, submittedAt DESC, runId DESC
