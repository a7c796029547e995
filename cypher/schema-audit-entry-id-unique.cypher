// schema-audit-entry-id-unique: an audit entry id is stored once (the index behind the MERGE of
// audit-append, which makes a repeated append of an entry a no-op, and the keyset of audit-page).
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE CONSTRAINT audit_entry_id IF NOT EXISTS
FOR (e:AuditEntry) REQUIRE e.id IS UNIQUE
