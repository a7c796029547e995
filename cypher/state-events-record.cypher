// state-events-record: last statement of a state transaction that carries event ids. Stamps the
// events of the reports it applied (ACCEPTED or STALE) with the transaction's time (an expired
// event received again starts a new retention window), releases the locks state-events-lock
// took, and deletes the bare events it created for reports that were not applied.
// Parameters:
//   $eventIds: list of string, every event id state-events-lock locked in this transaction.
//   $recorded: list of string, the ones to stamp (a subset of $eventIds).
//   $now: string, ISO-8601 UTC timestamp of the transaction.
// Returns: one row: dropped (integer, bare events deleted).
UNWIND $eventIds AS eventId
MATCH (e:StateEvent {id: eventId})
SET e.seenAt = CASE WHEN eventId IN $recorded THEN $now ELSE e.seenAt END
REMOVE e._lock
WITH e
WHERE e.seenAt IS NULL
DELETE e
RETURN count(*) AS dropped
