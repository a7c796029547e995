// relationship-delete: remove relationships by key.
// Parameters:
//   $keys: list of {fromId: string, relType: string, toId: string}, without duplicates (the
//     adapter removes them, so that each relationship is counted once).
// Returns: one row: removed (integer, how many relationships existed).
UNWIND $keys AS k
MATCH (a:Asset {id: k.fromId})-[r]->(b:Asset {id: k.toId})
WHERE type(r) = k.relType
DELETE r
RETURN count(*) AS removed
