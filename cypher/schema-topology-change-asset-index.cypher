// schema-topology-change-asset-index: the changes of one asset (topology-changes-for-asset).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX topology_change_asset IF NOT EXISTS
FOR (c:TopologyChange) ON (c.assetId)
