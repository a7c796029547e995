// topology-changes-page: one page of topology history, newest first (id descending), filtered
// by time and positioned by keyset on the id in the database.
// Parameters:
//   $from: string or null, ISO-8601: changes at or after it (at >= from).
//   $to: string or null, ISO-8601: changes before it (at < to).
//   $after: string or null: the id of the last change of the previous page (only older
//     changes, with smaller ids, follow it); null for the first page.
//   $limit: integer, how many rows to return (page size + 1 tells whether there is a next page).
// Returns: rows {change: map {id, at, entity, action, key, assetId, fromId, type, toId, before,
//   after}}, ordered by id descending.
MATCH (c:TopologyChange)
// Always true (ids are strings): lets the planner walk the id index newest first and stop at $limit.
WHERE c.id >= ''
  AND ($after IS NULL OR c.id < $after)
  AND ($from IS NULL OR c.at >= $from)
  AND ($to IS NULL OR c.at < $to)
RETURN c {.id, .at, .entity, .action, .key, .assetId, .fromId, .type, .toId, .before, .after} AS change
ORDER BY c.id DESC
LIMIT $limit
