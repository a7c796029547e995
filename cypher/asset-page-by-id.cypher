// asset-page-by-id: one page of assets, filtered, sorted by id and positioned by keyset, read in
//   id order from the unique id index (schema-asset-id-unique) and stopping after $limit rows:
//   the dashboard's order. asset-page serves every other sort.
// Template: __DIRECTION__ and __AFTER__, substituted by the adapter. __DIRECTION__ is ASC or DESC
//   (ORDER BY directions cannot be parameters); __AFTER__ the keyset condition: `a.id > $afterId`
//   (ASC), `a.id < $afterId` (DESC), or `a.id IS NOT NULL` on the first page. A plain comparison
//   lets the planner seek the index; a condition that also allowed null would not.
// Parameters:
//   $filter: map, the asset filter, as documented in asset-count.cypher.
//   $afterId: string: the id of the last asset of the previous page (not used on the first page).
//   $limit: integer, how many rows to return (page size + 1 tells whether there is a next page).
// Returns: rows {asset: map of all node properties, sortValue: string, the id}, in page order.
MATCH (a:Asset)
// filter:begin (identical in asset-page.cypher and asset-count.cypher)
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
  AND __AFTER__
RETURN a {.*} AS asset, a.id AS sortValue
ORDER BY a.id __DIRECTION__
LIMIT $limit
