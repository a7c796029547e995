// schema-rejected-report-id-unique: quarantine ids are unique (also the index behind paging and
// trimming the quarantine in id order).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE CONSTRAINT rejected_report_id IF NOT EXISTS
FOR (q:RejectedReport) REQUIRE q.id IS UNIQUE
