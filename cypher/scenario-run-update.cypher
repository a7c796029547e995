// scenario-run-update: change a scenario run only while its status is one of $fromStatuses
// (a conditional status transition: a cancelled run never turns RUNNING again). The run is
// write-locked first (`_lock`, removed again in the same statement) and its status read under
// the lock, so two concurrent transitions from the same status cannot both succeed.
// Parameters:
//   $id: string, the run id.
//   $fromStatuses: list of string, the statuses the run may be in for the change to apply.
//   $changes: map of the properties to set (status, progress, error, startedAt, finishedAt,
//     summary as a JSON string, engineVersion, modelVersion, inputHash, attempts as an integer);
//     a null value removes that property; an empty map changes nothing.
// Returns: one row when the run exists: applied (boolean, false when its status did not allow the
//   change and nothing was written), run (map as documented in scenario-runs-get.cypher, after the
//   change). No row for an unknown run.
MATCH (r:ScenarioRun {id: $id})
SET r._lock = true
WITH r, r.status IN $fromStatuses AS applied
SET r += CASE WHEN applied THEN $changes ELSE {} END
REMOVE r._lock
RETURN applied, r {.id, .kind, .status, .progress, .seed, .error, .submittedAt, .startedAt, .finishedAt, .summary, .input,
  .idempotencyKey, .engineVersion, .modelVersion, .inputHash, .attempts} AS run
