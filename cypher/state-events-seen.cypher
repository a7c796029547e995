// state-events-seen: which of the given state event ids were received within the retention
// window. Events older than the horizon count as never seen, whether or not they were pruned yet.
// Parameters:
//   $eventIds: list of string, distinct event ids.
//   $horizon: string, ISO-8601 UTC timestamp: events received before it are forgotten.
// Returns: one row per remembered event: eventId (string).
UNWIND $eventIds AS eventId
MATCH (e:StateEvent {id: eventId})
WHERE e.seenAt >= $horizon
RETURN e.id AS eventId
