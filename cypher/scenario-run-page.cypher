// scenario-run-page: one page of scenario runs, newest first (submittedAt descending, then id
// descending), filtered and positioned by keyset in the database.
// Parameters:
//   $statuses: list of string or null (null = any status): run statuses to keep.
//   $kinds: list of string or null (null = any kind): scenario kinds to keep.
//   $after: string or null: the id of the last run of the previous page (only runs older than
//     it follow); a run id that does not exist gives no rows. Null for the first page.
//   $limit: integer, how many rows to return (page size + 1 tells whether there is a next page).
// Returns: rows {run: map as documented in scenario-runs-get.cypher, submittedAt: string,
//   runId: string}, in page order.
OPTIONAL MATCH (c:ScenarioRun {id: $after})
WITH c
WHERE $after IS NULL OR c IS NOT NULL
MATCH (r:ScenarioRun)
WHERE ($statuses IS NULL OR r.status IN $statuses)
  AND ($kinds IS NULL OR r.kind IN $kinds)
  AND (c IS NULL OR r.submittedAt < c.submittedAt OR (r.submittedAt = c.submittedAt AND r.id < c.id))
RETURN r {.id, .kind, .status, .progress, .seed, .error, .submittedAt, .startedAt, .finishedAt, .summary, .input,
  .idempotencyKey, .engineVersion, .modelVersion, .inputHash, .attempts} AS run, r.submittedAt AS submittedAt, r.id AS runId
ORDER BY submittedAt DESC, runId DESC
LIMIT $limit
