// schema-state-event-seen-index: range index on when a state event was received, so that
// state-events-prune finds the expired ones without a label scan.
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX state_event_seen_at IF NOT EXISTS
FOR (e:StateEvent) ON (e.seenAt)
