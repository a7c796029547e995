// state-events-record: remember the event ids of the reports a state transaction applied
// (ACCEPTED or STALE); an expired event received again starts a new retention window.
// Parameters:
//   $eventIds: list of string, distinct event ids.
//   $now: string, ISO-8601 UTC timestamp of the transaction.
// Returns: one row: recorded (integer).
UNWIND $eventIds AS eventId
MERGE (e:StateEvent {id: eventId})
SET e.seenAt = $now
RETURN count(*) AS recorded
