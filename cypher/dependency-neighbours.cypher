// dependency-neighbours: the assets one dependency hop from the given ones, in one statement,
//   without the relationships themselves: for traversals that only need who is linked to whom.
//   A hop follows a relationship of types $out from its source, or one of types $in from its
//   target.
// Parameters:
//   $ids: list of string, asset ids.
//   $out: list of string, relationship types followed from source to target (may be empty).
//   $in: list of string, relationship types followed from target to source (may be empty).
// Returns: rows {nearId: string, one of $ids, farId: string, the asset one hop away}, one per
//   relationship, in no particular order.
CALL () {
  MATCH (a:Asset)-[r]->(b:Asset)
  WHERE a.id IN $ids AND type(r) IN $out
  RETURN a.id AS nearId, b.id AS farId
  UNION ALL
  MATCH (a:Asset)-[r]->(b:Asset)
  WHERE b.id IN $ids AND type(r) IN $in
  RETURN b.id AS nearId, a.id AS farId
}
RETURN nearId, farId
