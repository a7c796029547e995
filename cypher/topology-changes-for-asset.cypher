// topology-changes-for-asset: like topology-changes-page, for the changes of one asset and of
// the relationships from or to it, each found through its own index.
// Parameters:
//   $assetId: string.
//   $from, $to, $after, $limit: as in topology-changes-page.
// Returns: rows {change: map, as in topology-changes-page}, ordered by id descending.
CALL () {
  MATCH (c:TopologyChange) WHERE c.assetId = $assetId RETURN c
  UNION
  MATCH (c:TopologyChange) WHERE c.fromId = $assetId RETURN c
  UNION
  MATCH (c:TopologyChange) WHERE c.toId = $assetId RETURN c
}
WITH c
WHERE ($after IS NULL OR c.id < $after)
  AND ($from IS NULL OR c.at >= $from)
  AND ($to IS NULL OR c.at < $to)
RETURN c {.id, .at, .entity, .action, .key, .assetId, .fromId, .type, .toId, .before, .after} AS change
ORDER BY c.id DESC
LIMIT $limit
