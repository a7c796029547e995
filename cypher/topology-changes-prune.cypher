// topology-changes-prune: delete topology changes older than a horizon, at most $limit per call
// (the adapter repeats it until a call deletes fewer), kept as long as audit entries.
// Parameters:
//   $before: string, ISO-8601 UTC timestamp: changes with at < $before are deleted.
//   $limit: integer, the most changes to delete in this call.
// Returns: one row: pruned (integer, how many were deleted; $limit means there may be more).
MATCH (c:TopologyChange)
WHERE c.at < $before
WITH c LIMIT $limit
DELETE c
RETURN count(*) AS pruned
