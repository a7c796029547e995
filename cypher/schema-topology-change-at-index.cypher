// schema-topology-change-at-index: range index on when a topology change happened, so that
// topology-changes-first (the changes since an asOf) and topology-changes-prune seek by time.
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX topology_change_at IF NOT EXISTS
FOR (c:TopologyChange) ON (c.at)
