// topology-history-start: since when topology history is kept (begin, or the last prune's cutoff).
// Parameters: none.
// Returns: zero or one row: startedAt (string, ISO-8601).
MATCH (h:TopologyHistory {singleton: true})
RETURN h.startedAt AS startedAt
