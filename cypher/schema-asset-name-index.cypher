// schema-asset-name-index: range index on the asset name (lookups by name in ad-hoc Cypher).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX asset_name IF NOT EXISTS
FOR (a:Asset) ON (a.name)
