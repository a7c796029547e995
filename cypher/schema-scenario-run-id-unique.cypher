// schema-scenario-run-id-unique: scenario run ids are unique (also the index behind every lookup
// of a run by id and the keyset cursor of scenario-run-page).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE CONSTRAINT scenario_run_id IF NOT EXISTS
FOR (r:ScenarioRun) REQUIRE r.id IS UNIQUE
