// topology-history-move: history now starts at the prune's cutoff (what came before is gone).
// Parameters:
//   $before: string, ISO-8601 UTC timestamp: the new start, if later than the current one.
// Returns: one row: moved (integer, 0 or 1).
MATCH (h:TopologyHistory {singleton: true})
WHERE h.startedAt < $before
SET h.startedAt = $before
RETURN count(*) AS moved
