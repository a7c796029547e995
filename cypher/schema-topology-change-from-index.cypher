// schema-topology-change-from-index: the changes of relationships from one asset
// (topology-changes-for-asset).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX topology_change_from IF NOT EXISTS
FOR (c:TopologyChange) ON (c.fromId)
