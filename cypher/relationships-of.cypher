// relationships-of: relationships touching the given assets, those they are the source of and
//   those they are the target of, in one statement (one round trip for a resolver batch).
// Parameters:
//   $ids: list of string, asset ids.
//   $out: boolean, whether to return the relationships whose source is one of $ids.
//   $in: boolean, whether to return the relationships whose target is one of $ids.
//   $types: list of string, or null for every type: relationship types to keep.
//   $properties: boolean, whether to return the relationships' properties (null otherwise).
// Returns: rows {outgoing: boolean, true for a row found from its source, fromId: string,
//   relType: string, toId: string, properties: map of the relationship's properties or null}, those
//   found from their source first, each part ordered by fromId, relType, toId. A relationship
//   between two of $ids (or a self-loop) is found from both ends when both are asked for.
CALL () {
  MATCH (a:Asset)-[r]->(b:Asset)
  WHERE $out AND a.id IN $ids AND ($types IS NULL OR type(r) IN $types)
  RETURN true AS outgoing, a.id AS fromId, type(r) AS relType, b.id AS toId, CASE WHEN $properties THEN r {.*} END AS properties
  UNION ALL
  MATCH (a:Asset)-[r]->(b:Asset)
  WHERE $in AND b.id IN $ids AND ($types IS NULL OR type(r) IN $types)
  RETURN false AS outgoing, a.id AS fromId, type(r) AS relType, b.id AS toId, CASE WHEN $properties THEN r {.*} END AS properties
}
RETURN outgoing, fromId, relType, toId, properties
ORDER BY outgoing DESC, fromId, relType, toId
