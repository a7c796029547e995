// asset-page: one page of assets, filtered, sorted and positioned by keyset in the database.
// Template: __DIRECTION__ is ASC or DESC, substituted by the adapter from a boolean (ORDER BY
//   directions cannot be parameters).
// Parameters:
//   $filter: map, the asset filter, as documented in asset-count.cypher.
//   $sortKey: string or null: the node property sorted on (id, name, kind, updatedAt or a user
//     property key); null when no asset can have it, so every asset sorts as null.
//   $descending: boolean, true exactly when __DIRECTION__ is DESC (keyset comparisons follow it).
//   $after: map {value: scalar or null, id: string} or null: the sort value and id of the last
//     asset of the previous page.
//   $limit: integer, how many rows to return (page size + 1 tells whether there is a next page).
// Returns: rows {asset: map of all node properties, sortValue: scalar or null, and the order
//   keys sortsLast, sortRank, assetId}, in page order: nulls last in both directions, then
//   numbers before strings before lists (reversed by DESC; booleans sort as 1 and 0, like the
//   embedded store), then the value, ties broken by id in the sort direction.
WITH CASE WHEN $after.value = true THEN 1 WHEN $after.value = false THEN 0 ELSE $after.value END AS afterValue
WITH afterValue,
  CASE
    WHEN afterValue IS NULL THEN 0
    WHEN afterValue < 0 OR afterValue >= 0 THEN 1
    WHEN afterValue STARTS WITH '' THEN 2
    ELSE 3
  END AS afterRank
MATCH (a:Asset)
// filter:begin (identical in asset-page-by-id.cypher and asset-count.cypher)
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
WITH a, afterValue, afterRank, CASE WHEN $sortKey IS NULL THEN null ELSE a[$sortKey] END AS raw
WITH a, afterValue, afterRank, CASE WHEN raw = true THEN 1 WHEN raw = false THEN 0 ELSE raw END AS sortValue
WITH a, afterValue, afterRank, sortValue,
  CASE
    WHEN sortValue IS NULL THEN 0
    WHEN sortValue < 0 OR sortValue >= 0 THEN 1
    WHEN sortValue STARTS WITH '' THEN 2
    ELSE 3
  END AS sortRank
WHERE $after IS NULL
  OR (afterValue IS NULL AND sortValue IS NULL
    AND CASE WHEN $descending THEN a.id < $after.id ELSE a.id > $after.id END)
  OR (afterValue IS NOT NULL AND (
    sortValue IS NULL
    OR CASE WHEN $descending THEN sortRank < afterRank ELSE sortRank > afterRank END
    OR (sortRank = afterRank AND (
      CASE WHEN $descending THEN sortValue < afterValue ELSE sortValue > afterValue END
      OR (sortValue = afterValue
        AND CASE WHEN $descending THEN a.id < $after.id ELSE a.id > $after.id END)))))
RETURN a {.*} AS asset, sortValue, sortValue IS NULL AS sortsLast, sortRank, a.id AS assetId
ORDER BY sortsLast, sortRank __DIRECTION__, sortValue __DIRECTION__, assetId __DIRECTION__
LIMIT $limit
