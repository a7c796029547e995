// scenario-run-create: create a scenario run that has no idempotency key.
// Parameters:
//   $run: map of the run's properties {id, kind, status, submittedAt: string; progress: float;
//     seed, attempts: integer; error, startedAt, finishedAt, engineVersion, modelVersion,
//     inputHash: string or null; summary: JSON string or null; input: JSON string;
//     idempotencyKey: null}. Null values are not stored.
// Returns: one row: run (map, the stored run as documented in scenario-runs-get.cypher),
//   created (boolean, always true). A run id already in use fails with a constraint violation.
CREATE (r:ScenarioRun)
SET r = $run
RETURN r {.id, .kind, .status, .progress, .seed, .error, .submittedAt, .startedAt, .finishedAt, .summary, .input,
  .idempotencyKey, .engineVersion, .modelVersion, .inputHash, .attempts} AS run, true AS created
