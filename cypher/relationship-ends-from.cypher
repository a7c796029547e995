// relationship-ends-from: the two ends of relationships of the given types whose source is one
//   of the given assets; no properties, for traversals that only need who is linked to whom.
// Parameters:
//   $ids: list of string, source asset ids.
//   $types: list of string, relationship types to follow.
// Returns: rows {fromId: string, toId: string}, in no particular order.
MATCH (a:Asset)-[r]->(b:Asset)
WHERE a.id IN $ids AND type(r) IN $types
RETURN a.id AS fromId, b.id AS toId
