// relationship-delete: remove relationships by key, returning what went, for the write's
// change set.
// Parameters:
//   $keys: list of {fromId: string, relType: string, toId: string}, without duplicates (the
//     adapter removes them, so that each relationship is reported once).
// Returns: one row per relationship that existed: type, fromId, fromKind, toId, toKind
//   (strings); properties (map, as stored).
UNWIND $keys AS k
MATCH (a:Asset {id: k.fromId})-[r]->(b:Asset {id: k.toId})
WHERE type(r) = k.relType
WITH a, b, r, properties(r) AS properties
DELETE r
RETURN type(r) AS type, a.id AS fromId, a.kind AS fromKind, b.id AS toId, b.kind AS toKind, properties
