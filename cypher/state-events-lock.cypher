// state-events-lock: first statement of a state transaction that carries event ids. Creates a
// bare StateEvent for each id not known yet and write-locks every one of them until the
// transaction ends (the `_lock` property is removed by state-events-record), so that two batches
// carrying one event id, even for different assets, take turns: the second reads the first's
// `seenAt` and reports DUPLICATE. (The real server showed that reading the events without a lock
// let both apply: each transaction locked only its own asset.)
// Parameters:
//   $eventIds: list of string, distinct event ids, sorted (one lock order for every batch).
// Returns: one row per id: eventId (string); seenAt (string, ISO-8601 UTC, when the event was
//   last received; null for an event first seen in this transaction).
UNWIND $eventIds AS eventId
MERGE (e:StateEvent {id: eventId})
SET e._lock = true
RETURN e.id AS eventId, e.seenAt AS seenAt
