// scenario-run-lock: first statement of a result-writing transaction. Write-locks the run until
// the transaction ends (`_lock` is set and removed again here; the lock stays) and reads its status
// under the lock, so that a concurrent transition (scenario-run-update, e.g. a cancel) either
// commits first and is seen here, or waits until the results are written.
// Parameters:
//   $runId: string, the run id.
// Returns: one row when the run exists: status (string, read under the lock). No row otherwise.
MATCH (r:ScenarioRun {id: $runId})
SET r._lock = true
WITH r, r.status AS status
REMOVE r._lock
RETURN status
