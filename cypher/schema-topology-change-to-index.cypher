// schema-topology-change-to-index: the changes of relationships to one asset
// (topology-changes-for-asset).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX topology_change_to IF NOT EXISTS
FOR (c:TopologyChange) ON (c.toId)
