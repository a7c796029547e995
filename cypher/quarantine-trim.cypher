// quarantine-trim: keep only the newest reports of the quarantine (the largest ids).
// Parameters:
//   $keep: integer, how many of the newest reports to keep.
// Returns: one row: removed (integer, how many older reports were deleted).
MATCH (q:RejectedReport)
WITH q ORDER BY q.id DESC SKIP $keep
DELETE q
RETURN count(*) AS removed
