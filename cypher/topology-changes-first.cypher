// topology-changes-first: for every asset and relationship changed after $since, its first
// change after it (the smallest id): their `before` values are the twin as it was at $since.
// Parameters:
//   $since: string, ISO-8601 UTC: changes with at > $since count.
//   $limit: integer, the most rows to return.
// Returns: rows {change: map {id, at, entity, action, key, assetId, fromId, type, toId, before,
//   after}}, ordered by id.
MATCH (c:TopologyChange)
WHERE c.at > $since
WITH c.key AS key, min(c.id) AS firstId
MATCH (first:TopologyChange {id: firstId})
RETURN first {.id, .at, .entity, .action, .key, .assetId, .fromId, .type, .toId, .before, .after} AS change
ORDER BY first.id
LIMIT $limit
