// simulation-results-write: create or replace simulation results of one run, one per asset:
// `(:ScenarioRun)-[:HAS_RESULT]->(:SimulationResult)-[:FOR]->(:Asset)`. A repeat replaces the
// values (at-least-once jobs); rows whose asset does not exist are dropped, and nothing is written
// for a run that does not exist. Runs after scenario-run-lock, in the same transaction, once the
// adapter has seen the run RUNNING. Race-safe: MERGE on `key`, which has a uniqueness constraint
// (schema-simulation-result-key-unique).
// Parameters:
//   $runId: string, the run id.
//   $results: list of {key: string ($runId + '|' + assetId), assetId: string, values: map
//     {state, cause: string or null; depth: integer or null; availability, availabilityLow,
//     availabilityHigh, loadKw, utilization, observedLoadKw, errorKw, mtbfHours, mttrHours: float
//     or null; failures: integer or null; overloaded: boolean or null}}, one per
//     asset (the adapter keeps the last of duplicates), sorted by assetId so that concurrent
//     writers lock assets in the same order. A null value removes the property.
// Returns: one row: written (integer, how many results were created or replaced).
MATCH (r:ScenarioRun {id: $runId})
UNWIND $results AS result
MATCH (a:Asset {id: result.assetId})
MERGE (s:SimulationResult {key: result.key})
SET s.runId = $runId, s.assetId = result.assetId
SET s += result.values
MERGE (r)-[:HAS_RESULT]->(s)
MERGE (s)-[:FOR]->(a)
RETURN count(*) AS written
