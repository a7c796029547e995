// schema-audit-entry-at-index: range index on when an audited operation happened, so that
// audit-prune finds the expired entries without a label scan.
// Idempotent; applied by the Neo4j adapter's init().
// Parameters: none.
// Returns: nothing.
CREATE INDEX audit_entry_at IF NOT EXISTS
FOR (e:AuditEntry) ON (e.at)
