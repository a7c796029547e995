// scenario-runs-get: scenario runs by id.
// Parameters:
//   $ids: list of string, distinct run ids (unknown ids are fine).
// Returns: one row per existing run: run (map {id, kind, status, submittedAt: string;
//   progress: float; seed, attempts: integer; error, startedAt, finishedAt, engineVersion,
//   modelVersion, inputHash, idempotencyKey: string or null; summary: JSON string or null;
//   input: JSON string}).
MATCH (r:ScenarioRun)
WHERE r.id IN $ids
RETURN r {.id, .kind, .status, .progress, .seed, .error, .submittedAt, .startedAt, .finishedAt, .summary, .input,
  .idempotencyKey, .engineVersion, .modelVersion, .inputHash, .attempts} AS run
