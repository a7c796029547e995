// topology-changes-append: record topology changes, in the transaction of the write they
// describe, as `(:TopologyChange {id, at, entity, action, key, assetId, fromId, type, toId,
// before, after})`.
// Parameters:
//   $changes: list of {id: string (time-ordered, unique); at: string, ISO-8601 UTC;
//     entity: 'ASSET' or 'RELATIONSHIP'; action: 'CREATE', 'UPDATE' or 'DELETE';
//     key: string (one per asset or relationship); assetId: string or null (asset changes);
//     fromId, type, toId: string or null (relationship changes); before, after: string (JSON)
//     or null (a null stores no property)}.
// Returns: one row: appended (integer).
UNWIND $changes AS change
CREATE (c:TopologyChange)
SET c = change
RETURN count(*) AS appended
