// asset-delete: delete assets with every relationship they have, returning what went, for the
// write's change set. Their simulation results stay (a finished run's summary counts them),
// marked assetDeleted, as in the embedded store.
// Parameters:
//   $ids: list of string, distinct asset ids.
// Returns: one row per asset that existed: node (map, every property of the asset as it was,
//   for topology history); relationships (list of {type,
//   fromId, fromKind, toId, toKind, properties}: every relationship between it and another
//   asset, read before the delete; one between two deleted assets appears in both rows).
MATCH (a:Asset)
WHERE a.id IN $ids
CALL (a) {
  OPTIONAL MATCH (a)-[r]-(:Asset)
  WITH r, startNode(r) AS s, endNode(r) AS e
  WHERE r IS NOT NULL
  RETURN collect({type: type(r), fromId: s.id, fromKind: s.kind, toId: e.id, toKind: e.kind, properties: properties(r)}) AS relationships
}
OPTIONAL MATCH (a)<-[:FOR]-(s:SimulationResult)
WITH a, relationships, a {.*} AS node, collect(s) AS results
FOREACH (s IN results | SET s.assetDeleted = true)
DETACH DELETE a
RETURN node, relationships
