// asset-summaries: id, kind and name of assets, for long lists that show no more.
// Parameters:
//   $ids: list of string, asset ids (distinct; unknown ids are fine).
// Returns: one row per existing asset: {id: string, kind: string, name: string or null}.
MATCH (a:Asset)
WHERE a.id IN $ids
RETURN a.id AS id, a.kind AS kind, a.name AS name
