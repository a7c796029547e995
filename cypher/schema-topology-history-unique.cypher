// schema-topology-history-unique: one (:TopologyHistory) node, which says since when topology
// history is kept; the constraint makes the MERGE of topology-history-begin race-safe.
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE CONSTRAINT topology_history_singleton IF NOT EXISTS
FOR (h:TopologyHistory) REQUIRE h.singleton IS UNIQUE
