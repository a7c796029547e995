// schema-topology-change-id-unique: a topology change is stored once under its time-ordered id
// (the keyset of topology-changes-page, newest first).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE CONSTRAINT topology_change_id IF NOT EXISTS
FOR (c:TopologyChange) REQUIRE c.id IS UNIQUE
