// topology-history-begin: start keeping topology history, once per database (at init): the
// twin as it was before `startedAt` cannot be told.
// Parameters:
//   $now: string, ISO-8601 UTC timestamp: the start, if history has not begun yet.
// Returns: one row: startedAt (string, ISO-8601).
MERGE (h:TopologyHistory {singleton: true})
ON CREATE SET h.startedAt = $now
RETURN h.startedAt AS startedAt
