// schema-state-event-id-unique: a state event id is remembered once (the index behind the
// duplicate check and the MERGE of state-events-record).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE CONSTRAINT state_event_id IF NOT EXISTS
FOR (e:StateEvent) REQUIRE e.id IS UNIQUE
