// dependency-edges: the dependency relationships one hop from the given assets, with their
//   properties, in one statement: those of types $out whose source is one of the assets, and
//   those of types $in whose target is.
// Parameters:
//   $ids: list of string, asset ids.
//   $out: list of string, relationship types to find from their source (may be empty).
//   $in: list of string, relationship types to find from their target (may be empty).
// Returns: rows {fromId: string, relType: string, toId: string, properties: map of the
//   relationship's properties}, in no particular order.
CALL () {
  MATCH (a:Asset)-[r]->(b:Asset)
  WHERE a.id IN $ids AND type(r) IN $out
  RETURN a.id AS fromId, type(r) AS relType, b.id AS toId, r {.*} AS properties
  UNION ALL
  MATCH (a:Asset)-[r]->(b:Asset)
  WHERE b.id IN $ids AND type(r) IN $in
  RETURN a.id AS fromId, type(r) AS relType, b.id AS toId, r {.*} AS properties
}
RETURN fromId, relType, toId, properties
