// schema-scenario-run-idempotency-key-unique: one run per idempotency key (runs without a key
// have no such property and are not constrained). The index lock behind it makes the MERGE of
// scenario-run-create-idempotent race-safe.
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE CONSTRAINT scenario_run_idempotency_key IF NOT EXISTS
FOR (r:ScenarioRun) REQUIRE r.idempotencyKey IS UNIQUE
