// audit-prune: delete audit entries older than a horizon, at most $limit of them per call (the
// adapter repeats it until a call deletes fewer, so no single transaction grows unbounded).
// Parameters:
//   $before: string, ISO-8601 UTC timestamp: entries with at < $before are deleted.
//   $limit: integer, the most entries to delete in this call.
// Returns: one row: pruned (integer, how many were deleted; $limit means there may be more).
MATCH (e:AuditEntry)
WHERE e.at < $before
WITH e LIMIT $limit
DELETE e
RETURN count(*) AS pruned
