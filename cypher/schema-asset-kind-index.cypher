// schema-asset-kind-index: range index on the asset kind (kind filters, ad-hoc Cypher).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX asset_kind IF NOT EXISTS
FOR (a:Asset) ON (a.kind)
