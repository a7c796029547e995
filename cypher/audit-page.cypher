// audit-page: one page of the audit trail, newest first (id descending), filtered and positioned
// by keyset on the id in the database.
// Parameters:
//   $filter: map {actor, operation: string or null (null = any): exact match;
//     assetId: string or null: entries whose ids list holds it;
//     since: string or null, ISO-8601: entries at or after it (at >= since);
//     until: string or null, ISO-8601: entries before it (at < until)}.
//   $after: string or null: the id of the last entry of the previous page (only older entries,
//     with smaller ids, follow it); null for the first page.
//   $limit: integer, how many rows to return (page size + 1 tells whether there is a next page).
// Returns: rows {entryId: string, entry: map {id, at, actor, role, operation, outcome: string;
//   ids: list of string; idCount: integer; error: string or null}}, ordered by entryId descending.
MATCH (e:AuditEntry)
// Always true (ids are strings): a range predicate on the id, so that the planner can walk the id
// index newest first and stop at $limit instead of sorting every entry.
WHERE e.id >= ''
  AND ($after IS NULL OR e.id < $after)
  AND ($filter.actor IS NULL OR e.actor = $filter.actor)
  AND ($filter.operation IS NULL OR e.operation = $filter.operation)
  AND ($filter.assetId IS NULL OR $filter.assetId IN e.ids)
  AND ($filter.since IS NULL OR e.at >= $filter.since)
  AND ($filter.until IS NULL OR e.at < $filter.until)
RETURN e.id AS entryId, e {.id, .at, .actor, .role, .operation, .ids, .idCount, .outcome, .error} AS entry
ORDER BY entryId DESC
LIMIT $limit
