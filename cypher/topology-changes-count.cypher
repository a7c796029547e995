// topology-changes-count: how many changes have ids in ($after, $upTo]: lets a reader that
// follows topology history tell, from a count over the id index, whether a change committed
// late (after others with larger ids) without reading the changes again.
// Parameters:
//   $after: string: ids larger than it (exclusive).
//   $upTo: string: ids up to it (inclusive).
// Returns: one row {count: integer}.
MATCH (c:TopologyChange)
WHERE c.id > $after AND c.id <= $upTo
RETURN count(c) AS count
