// schema-simulation-result-key-unique: one result per (run, asset). Community Edition has no node
// keys, so a result carries the combined `key` (runId + '|' + assetId) and this constraint makes
// the MERGE of simulation-results-write race-safe (at-least-once jobs write the same result twice).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE CONSTRAINT simulation_result_key IF NOT EXISTS
FOR (s:SimulationResult) REQUIRE s.key IS UNIQUE
