// relationship-merge: create or update relationships of ONE type between existing assets.
// Relating the same (from, type, to) again keeps one relationship and replaces its properties;
// `_createdAt` survives, `_updatedAt` moves.
// Template: __TYPE__ is replaced by the adapter with a relationship type of the twin model,
//   checked against RELATIONSHIP_TYPE_NAME and quoted in backticks (types cannot be parameters).
// Parameters:
//   $rows: list of {position: integer (index in the input batch), fromId: string,
//     toId: string, properties: map of scalars or lists}.
//   $now: string, ISO-8601 timestamp of the write.
// Returns: one row per input row whose two endpoints exist: position (integer); fromKind and
//   toKind (strings, for the write's change set); previous (map: the properties it replaced, or
//   null when the relationship is new, for topology history). A missing position means a missing endpoint;
//   the adapter then fails the whole transaction.
UNWIND $rows AS row
MATCH (a:Asset {id: row.fromId})
MATCH (b:Asset {id: row.toId})
MERGE (a)-[r:__TYPE__]->(b)
WITH row, a, b, r, row.properties AS props, CASE WHEN r._createdAt IS NULL THEN null ELSE properties(r) END AS previous
SET r = props {.*, _createdAt: coalesce(r._createdAt, $now), _updatedAt: $now}
RETURN row.position AS position, a.kind AS fromKind, b.kind AS toKind, previous
