// relationships-to: relationships whose target is one of the given assets (IN).
// Parameters:
//   $ids: list of string, target asset ids.
//   $types: list of string, or null for every type: relationship types to keep.
// Returns: rows {fromId: string, relType: string, toId: string, properties: map of the
//   relationship's properties}, ordered by fromId, relType, toId.
MATCH (a:Asset)-[r]->(b:Asset)
WHERE b.id IN $ids AND ($types IS NULL OR type(r) IN $types)
RETURN a.id AS fromId, type(r) AS relType, b.id AS toId, r {.*} AS properties
ORDER BY fromId, relType, toId
