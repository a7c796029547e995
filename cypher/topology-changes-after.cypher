// topology-changes-after: the changes a reader following topology history has not seen yet,
// oldest first, by a range seek on the id index that stops at $limit.
// Parameters:
//   $after: string: only changes with larger ids (exclusive).
//   $upTo: string or null: only changes with ids up to it (inclusive); null for no bound.
//   $limit: integer, the most rows to return.
// Returns: rows {change: map {id, at, entity, action, key, assetId, fromId, type, toId, before,
//   after}}, ordered by id.
MATCH (c:TopologyChange)
WHERE c.id > $after
  AND ($upTo IS NULL OR c.id <= $upTo)
RETURN c {.id, .at, .entity, .action, .key, .assetId, .fromId, .type, .toId, .before, .after} AS change
ORDER BY c.id
LIMIT $limit
