// scenario-run-create-idempotent: create a scenario run unless a run with its idempotency key
// exists, in which case that run is returned untouched. Race-safe: MERGE on a property with a
// uniqueness constraint (schema-scenario-run-idempotency-key-unique) locks the key, so concurrent
// submissions with one key create one run.
// Parameters:
//   $run: map of the run's properties, as in scenario-run-create.cypher, with idempotencyKey a
//     string (never null: MERGE cannot match on null).
// Returns: one row: run (map, the stored run as documented in scenario-runs-get.cypher, the
//   existing one when the key was in use), created (boolean, false when the key was in use).
//   A new run whose id is already in use fails with a constraint violation.
MERGE (r:ScenarioRun {idempotencyKey: $run.idempotencyKey})
ON CREATE SET r = $run
RETURN r {.id, .kind, .status, .progress, .seed, .error, .submittedAt, .startedAt, .finishedAt, .summary, .input,
  .idempotencyKey, .engineVersion, .modelVersion, .inputHash, .attempts} AS run, r.id = $run.id AS created
