// asset-count: how many assets match a filter (the same filter as asset-page).
// Parameters:
//   $filter: map {
//     ids, kinds, statuses: list of string or null (null = no condition);
//     idPrefix: string or null (plain prefix of the id);
//     nameContains: string or null (case-insensitive substring of the name);
//     properties: list of {key: string, or null for a key that can never be a user property;
//       op: eq|ne|gt|gte|lt|lte|in|exists; type: number|string|boolean, the operand's type;
//       value: the operand, a list of scalars for in, a boolean for exists}}.
//   A number never compares with a string or a boolean (not even in `in`: 1 IN [true] is false):
//   the value must have the operand's type.
// Returns: one row: total (integer).
MATCH (a:Asset)
// filter:begin (identical in asset-page.cypher and asset-page-by-id.cypher)
WHERE ($filter.ids IS NULL OR a.id IN $filter.ids)
  AND ($filter.kinds IS NULL OR a.kind IN $filter.kinds)
  AND ($filter.idPrefix IS NULL OR a.id STARTS WITH $filter.idPrefix)
  AND ($filter.nameContains IS NULL OR toLower(a.name) CONTAINS toLower($filter.nameContains))
  AND ($filter.statuses IS NULL OR a.status IN $filter.statuses)
  AND all(f IN $filter.properties WHERE
    all(v IN [CASE WHEN f.key IS NULL THEN null ELSE a[f.key] END] WHERE coalesce(
      CASE f.op
        WHEN 'exists' THEN (v IS NOT NULL) = f.value
        WHEN 'in' THEN v IN f.value
        ELSE (
          CASE f.type
            WHEN 'number' THEN v < 0 OR v >= 0
            WHEN 'boolean' THEN v IN [true, false]
            ELSE v STARTS WITH ''
          END
          AND CASE f.op
            WHEN 'eq' THEN v = f.value
            WHEN 'ne' THEN v <> f.value
            WHEN 'gt' THEN v > f.value
            WHEN 'gte' THEN v >= f.value
            WHEN 'lt' THEN v < f.value
            WHEN 'lte' THEN v <= f.value
          END)
      END, false)))
// filter:end
RETURN count(a) AS total
