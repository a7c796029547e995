// audit-append: append entries to the audit trail, `(:AuditEntry {id, at, actor, role, operation,
// ids, idCount, outcome, error})`. An entry whose id is already stored (before, or earlier in the
// same batch) is ignored: the stored one is kept unchanged. Race-safe: MERGE on `id`, which has a
// uniqueness constraint (schema-audit-entry-id-unique).
// Parameters:
//   $entries: list of {id: string, newer entries having larger ids (compared as strings);
//     at: string, ISO-8601 UTC; actor, role, operation: string; ids: list of string (possibly
//     empty); idCount: integer; outcome: 'OK' or 'ERROR'; error: string or null (null stores no
//     property)}.
// Returns: one row: received (integer, how many entries were given, ignored duplicates included).
UNWIND $entries AS entry
MERGE (e:AuditEntry {id: entry.id})
ON CREATE SET e.at = entry.at, e.actor = entry.actor, e.role = entry.role, e.operation = entry.operation,
  e.ids = entry.ids, e.idCount = entry.idCount, e.outcome = entry.outcome, e.error = entry.error
RETURN count(*) AS received
