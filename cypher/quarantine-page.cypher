// quarantine-page: one page of the quarantine, newest first, positioned by keyset on the id.
// Parameters:
//   $after: string or null: the id of the last report of the previous page (only older reports,
//     with smaller ids, follow it); null for the first page.
//   $limit: integer, how many rows to return (page size + 1 tells whether there is a next page).
// Returns: rows {reportId: string, report: map {id, receivedAt, assetId (null when none), reason,
//   record (JSON string)}}, ordered by reportId descending.
MATCH (q:RejectedReport)
WHERE $after IS NULL OR q.id < $after
RETURN q.id AS reportId, q {.id, .receivedAt, .assetId, .reason, .record} AS report
ORDER BY reportId DESC
LIMIT $limit
