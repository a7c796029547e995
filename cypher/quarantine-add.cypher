// quarantine-add: add rejected reports to the quarantine (quarantine-trim bounds it afterwards).
// Parameters:
//   $reports: list of {id: string, unique, newer reports having larger ids (compared as strings);
//     receivedAt: string, ISO-8601; assetId: string or null; reason: string;
//     record: string, the record as received, as JSON}.
// Returns: one row: added (integer).
UNWIND $reports AS report
CREATE (q:RejectedReport {id: report.id})
SET q.receivedAt = report.receivedAt, q.assetId = report.assetId, q.reason = report.reason, q.record = report.record
RETURN count(*) AS added
