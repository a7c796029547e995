// schema-scenario-run-submitted-index: range index on when a run was submitted, the sort key of
// scenario-run-page (newest first).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX scenario_run_submitted_at IF NOT EXISTS
FOR (r:ScenarioRun) ON (r.submittedAt)
