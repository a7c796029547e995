// simulation-results-page: one page of a run's simulation results, by asset id ascending.
// Parameters:
//   $runId: string, the run id.
//   $after: string or null: the asset id of the last result of the previous page (only larger
//     asset ids follow); null for the first page.
//   $limit: integer, how many rows to return (page size + 1 tells whether there is a next page).
// Returns: rows {assetId: string, result: map {runId, assetId, state, cause: string or null;
//   depth: integer or null; availability, availabilityLow, availabilityHigh, loadKw,
//   utilization, observedLoadKw, errorKw, mtbfHours, mttrHours: float or null; failures: integer or null; overloaded: boolean or null; assetDeleted: true when the asset was
//   deleted after the result was written, else null}}, ordered by assetId.
MATCH (:ScenarioRun {id: $runId})-[:HAS_RESULT]->(s:SimulationResult)
WHERE $after IS NULL OR s.assetId > $after
RETURN s.assetId AS assetId, s {.runId, .assetId, .state, .depth, .cause, .availability, .availabilityLow,
  .availabilityHigh, .loadKw, .utilization, .overloaded, .observedLoadKw, .errorKw, .failures, .mtbfHours, .mttrHours, .assetDeleted} AS result
ORDER BY assetId
LIMIT $limit
