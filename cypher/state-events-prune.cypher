// state-events-prune: forget state events received before the retention horizon, at most
// $limit of them per call (housekeeping: state-events-seen ignores expired events anyway).
// Parameters:
//   $horizon: string, ISO-8601 UTC timestamp: events received before it are deleted.
//   $limit: integer, the most events to delete in this call.
// Returns: one row: pruned (integer, how many were deleted; $limit means there may be more).
MATCH (e:StateEvent)
WHERE e.seenAt < $horizon
WITH e LIMIT $limit
DELETE e
RETURN count(*) AS pruned
